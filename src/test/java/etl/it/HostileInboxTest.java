package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whatever bytes an inbox file holds, its valid lines are applied, the others quarantined with their reason, and the
 * file ends in .done/: never half-applied, never in .failed/.
 */
class HostileInboxTest extends SystemTestBase {

    static Path dropBytes(String name, byte[] content) throws Exception {
        Path tmp = Files.createTempFile(Path.of("target"), "drop", ".part");
        Files.write(tmp, content);
        Files.createDirectories(inbox());
        return Files.move(tmp, inbox().resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void garbageLinesAreQuarantinedAndTheValidOnesApplied() throws Exception {
        String u = user("garbage");
        String name = "garbage-" + u + ".jsonl";
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});                         // line 1: BOM + valid
        f.writeBytes((InboxTest.ev(u, "add_revenue", "1") + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] m1 = ("{\"userId\":\"" + u + "m\u00fe\",\"name\":\"add_revenue\",\"value\":1}")
                .getBytes(StandardCharsets.ISO_8859_1);                                            // line 2: \xFE
        byte[] m2 = ("{\"userId\":\"" + u + "m\u00ff\",\"name\":\"add_revenue\",\"value\":1}")
                .getBytes(StandardCharsets.ISO_8859_1);                                            // line 3: \xFF
        f.writeBytes(m1);
        f.write('\n');
        f.writeBytes(m2);
        f.write('\n');
        f.writeBytes(new byte[] {0, 0, 0, '\n'});                                                    // line 4: NUL
        f.writeBytes(("{\"userId\":\"" + u + "\\ud800\",\"name\":\"add_revenue\",\"value\":1}\n")
                .getBytes(StandardCharsets.UTF_8));                                                // line 5: surrogate
        f.writeBytes((InboxTest.ev(u, "add_revenue", "2")).getBytes(StandardCharsets.UTF_16LE));    // line 6: UTF-16
        f.write('\n');
        f.writeBytes("\u000b\n\u2028\n".getBytes(StandardCharsets.UTF_8));                          // lines 7, 8
        f.writeBytes(("{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":4,\"big\":\"" + "b".repeat(3 << 20)
                + "\"}\n").getBytes(StandardCharsets.UTF_8));                                      // line 9: 3 MB
        f.writeBytes((InboxTest.ev(u, "add_revenue", "10") + "\r\n").getBytes(StandardCharsets.UTF_8)); // line 10
        f.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xAF, '\n'});                                  // line 11: overlong
        f.writeBytes((InboxTest.ev(u, "subtract_revenue", "0.5")).getBytes(StandardCharsets.UTF_8)); // line 12, no \n
        dropBytes(name, f.toByteArray());

        Waits.until("the file in .done/", 20_000, () -> Files.exists(inbox().resolve(".done").resolve(name)));
        Waits.revenue(u, "10.5", 5000);
        assertFalse(Files.exists(inbox().resolve(".failed").resolve(name)));
        List<String> rejected = Files.readAllLines(inbox().resolve(".rejected").resolve(name + ".rejected.jsonl"));
        int[] lines = {2, 3, 4, 5, 6, 7, 8, 9, 11};
        assertEquals(lines.length, rejected.size(), String.join("\n", rejected));
        for (int i = 0; i < lines.length; i++) {
            JsonNode r = Http.JSON.readTree(rejected.get(i));
            assertEquals(lines[i], r.get("line").asInt(), rejected.get(i));
            assertTrue(r.has("raw") ^ r.has("rawBase64"), rejected.get(i));
        }
        assertEquals(Base64.getEncoder().encodeToString(m1), Http.JSON.readTree(rejected.get(0)).get("rawBase64").asText());
        assertEquals(Base64.getEncoder().encodeToString(m2), Http.JSON.readTree(rejected.get(1)).get("rawBase64").asText());
        assertTrue(rejected.get(7).contains("longer than"), rejected.get(7));
        assertTrue(rejected.get(7).length() < 4096, "a huge line is not copied whole into the quarantine");
        // neither mangled id became a user
        assertEquals(404, Http.get(u + "m\uFFFD").status());
    }

    /**
     * A file of megabyte lines (NUL, invalid UTF-8, a BOM, a lone surrogate, deep nesting, Latin-1) between valid
     * events: it is sent in chunks of about etl.inbox.chunk-bytes (here 2 MB), not in one chunk of its 24 lines, so
     * that what the client holds stays bounded (5,000 such lines in a chunk held 5 GB; a 600 MB file stalled a
     * process with -Xmx256m without a word); every valid event is applied once and every bad line quarantined under
     * its own number.
     */
    @Test
    void aFileOfMegabyteLinesIsSentInChunksOfBoundedSize() throws Exception {
        String u = user("megalines");
        String name = "megalines-" + u + ".jsonl";
        byte[][] garbage = {
            ("\0" + "x".repeat(1_000_000)).getBytes(StandardCharsets.ISO_8859_1),
            ("\uFEFF{\"userId\":\"" + u + "\",\"v\":\"" + "\u00e9".repeat(450_000) + "\"}")
                    .getBytes(StandardCharsets.ISO_8859_1),
            ("{\"userId\":\"\ud800" + "a".repeat(1_000_000) + "\"}").getBytes(StandardCharsets.UTF_8),
            "[".repeat(1_000_000).getBytes(StandardCharsets.US_ASCII),
        };
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        for (int i = 0; i < 12; i++) {
            f.writeBytes((InboxTest.ev(u, "add_revenue", "1") + "\n").getBytes(StandardCharsets.UTF_8));
            f.writeBytes(garbage[i % garbage.length]);
            f.write('\n');
        }
        byte[] content = f.toByteArray();
        dropBytes(name, content);

        Waits.until("the file in .done/", 60_000, () -> Files.exists(inbox().resolve(".done").resolve(name)));
        Waits.revenue(u, "12", 10_000);
        List<String> rejected = Files.readAllLines(inbox().resolve(".rejected").resolve(name + ".rejected.jsonl"));
        assertEquals(12, rejected.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(2 * (i + 1), Http.JSON.readTree(rejected.get(i)).get("line").asInt(), rejected.get(i));
        }
        // the chunks as the server spooled them: each one's key names the file's content, the bounds and its place
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(content));
        java.util.Set<String> chunks = spooledChunks(
                java.util.regex.Pattern.compile("inbox-" + sha + "-1000-2000000-(\\d+)"), 4);
        assertTrue(chunks.size() <= 12, "chunks of a megabyte line or two each: " + chunks);
    }

    @Test
    void aLinkInTheInboxIsNeverRead() throws Exception {
        String u = user("link");
        Path secret = Files.writeString(Path.of("target", "secret-" + u + ".txt"),
                InboxTest.ev(u, "add_revenue", "1") + "\nroot:x:0:0:root:/root:/bin/bash\n");
        Files.createDirectories(inbox());
        String name = "passwd-" + u + ".jsonl";
        Files.createSymbolicLink(inbox().resolve(name), secret.toAbsolutePath());
        Waits.until("the link moved aside", 10_000, () -> !Files.exists(inbox().resolve(name),
                java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(inbox().resolve(".rejected").resolve(name + ".rejected.jsonl")));
        assertTrue(Files.isSymbolicLink(inbox().resolve(".failed").resolve(name)));
        awaitProcessorPolls();
        assertEquals(404, Http.get(u).status(), "the link's target was read");
    }

    @Test
    void aNameDroppedAgainKeepsBothCopies() throws Exception {
        String u = user("again");
        String name = "again-" + u + ".jsonl";
        InboxTest.drop(name, InboxTest.ev(u, "add_revenue", "1") + "\nbad first\n");
        Waits.until("first in .done/", 10_000, () -> Files.exists(inbox().resolve(".done").resolve(name)));
        InboxTest.drop(name, InboxTest.ev(u, "add_revenue", "2") + "\nbad second\n");
        Waits.revenue(u, "3", 10_000);
        Waits.until("second in .done/", 10_000, () -> Files.exists(inbox().resolve(".done").resolve(name + ".1"))
                && Files.exists(inbox().resolve(".done").resolve(name)));
        assertTrue(Files.readString(inbox().resolve(".done").resolve(name + ".1")).contains("bad first"));
        assertTrue(Files.readString(inbox().resolve(".done").resolve(name)).contains("bad second"));
        assertTrue(Files.readString(inbox().resolve(".rejected").resolve(name + ".1.rejected.jsonl")).contains("bad first"));
        assertTrue(Files.readString(inbox().resolve(".rejected").resolve(name + ".rejected.jsonl")).contains("bad second"));
    }
}
