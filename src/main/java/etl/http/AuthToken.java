package etl.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks the {@code Authorization} header against the configured token, in the same time whatever the token: both
 * sides are hashed first, so neither the length nor the first differing byte shows in the timing.
 */
public final class AuthToken implements org.apache.camel.Predicate {

    private final byte[] expected;

    public AuthToken(String token) {
        this.expected = sha256(token);
    }

    /** Accepts {@code <token>} and {@code Bearer <token>}. */
    public boolean matches(String header) {
        String given = header == null ? "" : header.trim();
        if (given.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = given.substring(7).trim();
        }
        return MessageDigest.isEqual(expected, sha256(given));
    }

    /** As a route predicate: the message's {@code Authorization} header (set from the request by TrustedHeaders). */
    @Override
    public boolean matches(org.apache.camel.Exchange exchange) {
        return matches(exchange.getMessage().getHeader("Authorization", String.class));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
