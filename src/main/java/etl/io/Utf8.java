package etl.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8, the one way bytes become text wherever the system accepts them (request bodies, JSON Lines, inbox
 * files). The JDK's decoder with {@link CodingErrorAction#REPORT} refuses what the Unicode standard calls ill-formed:
 * overlong forms, encoded surrogates (CESU-8), bytes {@code F5}-{@code FF}, truncated sequences. {@code new String(b,
 * UTF_8)} would replace them with U+FFFD and merge distinct user ids; Jackson's byte parser lets some of them through.
 */
public final class Utf8 {

    /** Bytes that are not well-formed UTF-8, and where the first bad one is. */
    public static final class InvalidException extends Exception {
        private final long offset;

        public InvalidException(long offset) {
            super("not valid UTF-8 (byte " + offset + ")", null, false, false);
            this.offset = offset;
        }

        public long offset() {
            return offset;
        }
    }

    private static final ThreadLocal<CharsetDecoder> DECODER = ThreadLocal.withInitial(
            () -> StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT));

    private Utf8() {
    }

    /** True when the bytes start with the UTF-8 byte order mark EF BB BF. */
    public static boolean hasBom(byte[] b, int from, int to) {
        return to - from >= 3 && (b[from] & 0xff) == 0xEF && (b[from + 1] & 0xff) == 0xBB && (b[from + 2] & 0xff) == 0xBF;
    }

    /** Decodes {@code b[from, to)}; the offset of an ill-formed sequence is counted from {@code from}. */
    public static String decode(byte[] b, int from, int to) throws InvalidException {
        // pure ASCII, the common case, needs no decoder
        int i = from;
        while (i < to && b[i] >= 0) {
            i++;
        }
        if (i == to) {
            return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder d = DECODER.get().reset();
        ByteBuffer in = ByteBuffer.wrap(b, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from);
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            throw new InvalidException(in.position() - from);
        }
        r = d.flush(out);
        if (r.isError()) {
            throw new InvalidException(in.position() - from);
        }
        return out.flip().toString();
    }

    /** Decodes bytes already found well-formed (by {@link #decode}). */
    public static String decodeValid(byte[] b, int from, int to) {
        try {
            return decode(b, from, to);
        } catch (InvalidException e) {
            throw new IllegalStateException("checked before: " + e.getMessage());
        }
    }
}
