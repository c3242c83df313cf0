package etl.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AuthTokenTest {

    @Test
    void plainAndBearer() {
        AuthToken t = new AuthToken("secret");
        assertTrue(t.matches("secret"));
        assertTrue(t.matches("Bearer secret"));
        assertTrue(t.matches("bearer secret"));
        assertFalse(t.matches((String) null));
        assertFalse(t.matches(""));
        assertFalse(t.matches("Secret"));
        assertFalse(t.matches("secret2"));
        assertFalse(t.matches("Bearer"));
    }
}
