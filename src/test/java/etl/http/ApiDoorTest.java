package etl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The door's first body buffer: as large as the announced Content-Length, but never more than {@link
 * ApiDoor#PRESIZE_MAX} whatever a client announces (an announced length is not a sent one), and small for a length
 * that is missing or not a number.
 */
class ApiDoorTest {

    @Test
    void theBodyBufferFollowsTheAnnouncedLengthUpToItsCap() {
        assertEquals(290_000, ApiDoor.initialSize("290000"));
        assertEquals(0, ApiDoor.initialSize("0"));
        assertEquals(ApiDoor.PRESIZE_MAX, ApiDoor.initialSize("16777216"));
        assertEquals(ApiDoor.PRESIZE_MAX, ApiDoor.initialSize("99999999999999999"));
        for (String bad : new String[] {null, "", "-1", "12a", "1e6", "\u0000", "\uD800", "99999999999999999999999"}) {
            assertEquals(256, ApiDoor.initialSize(bad), String.valueOf(bad));
        }
    }

    /** What a Content-Length announces against a limit, as both doors read it: garbage is no announcement. */
    @Test
    void anAnnouncedLengthOverTheLimit() {
        assertEquals(true, ApiDoor.announcedOver("1001", 1000));
        assertEquals(true, ApiDoor.announcedOver(" 1001 ", 1000));
        assertEquals(false, ApiDoor.announcedOver("1000", 1000));
        assertEquals(true, ApiDoor.announcedOver("9999999999999999999", 1000), "19 digits: more than a long holds");
        assertEquals(true, ApiDoor.announcedOver("99999999999999999999999", Long.MAX_VALUE));
        for (String bad : new String[] {null, "", "-1", "12a", "1e6", "\u0000", "\uD800", "\uFEFF12", "\u0661\u0662"}) {
            assertEquals(false, ApiDoor.announcedOver(bad, 0), String.valueOf(bad));
        }
    }

    /** The body's bytes are the same (and not copied when the buffer was sized right) whether the buffer was sized right (its own array), too large, or grown. */
    @Test
    void theBodysBytesWhateverItsBuffer() {
        byte[] sent = new byte[1000];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) i;
        }
        for (int first : new int[] {1000, 1500, 256, 0}) {
            io.vertx.core.buffer.Buffer b = io.vertx.core.buffer.Buffer.buffer(first);
            b.appendBytes(sent, 0, 600).appendBytes(sent, 600, 400);
            org.junit.jupiter.api.Assertions.assertArrayEquals(sent, ApiDoor.bytes(b), "first size " + first);
            if (first == sent.length) {
                org.junit.jupiter.api.Assertions.assertSame(b.getByteBuf().array(), ApiDoor.bytes(b), "no copy");
            }
        }
    }
}
