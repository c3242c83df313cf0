package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The class archive that {@code mvn package} records beside the jar (src/build/class-archive.sh) is really used by the
 * README's command, and the system it starts works: with {@code -Xshare:on} the JVM refuses to start at all when the
 * archive cannot be mapped (another jar, another JDK, a torn file), and the class-loading log shows the application's
 * own classes coming from it; then an event posted is applied and read back.
 */
class ClassArchiveIT {

    @Test
    void theReadmesCommandStartsFromTheArchiveAndWorks() throws Exception {
        Path archive = Path.of(System.getProperty("etl.archive", "target/revenue-etl.jsa"));
        assertTrue(Files.size(archive) > 1_000_000, "mvn package records " + archive);
        Path work = Path.of("target", "class-archive").toAbsolutePath();
        Files.createDirectories(work);
        Path classes = work.resolve("classes.log");
        Files.deleteIfExists(classes);
        int port = 18750;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try (AppProcess app = AppProcess.launch(work, port, work.resolve("app.log"),
                Map.of("ETL_EMBEDDED_PG_DIR", "../it/pg-class-archive"),
                List.of("-Xshare:on", "-Xlog:class+load=info:file=" + classes))) {
            HttpResponse<String> posted = null;
            long end = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < end && (posted == null || posted.statusCode() != 200)) {
                assertTrue(app.isAlive(), "the JVM started with the archive (-Xshare:on); see " + work.resolve("app.log"));
                try {
                    posted = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/liveEvent"))
                            .header("Authorization", "secret").header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"userId\":\"archived\",\"name\":\"add_revenue\",\"value\":12.5}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException notYet) {
                    Thread.sleep(200);
                }
            }
            assertEquals(200, posted.statusCode(), posted.body());
            String total = "";
            while (System.currentTimeMillis() < end && !total.contains("12.5")) {
                total = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/userEvents/archived"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                Thread.sleep(100);
            }
            assertTrue(total.replace(" ", "").matches("\\{\"userId\":\"archived\",\"revenue\":12\\.50?}"), total);
        }
        String log = Files.readString(classes);
        // "(top)": the archive recorded for this jar, on top of the JDK's own
        assertTrue(log.contains("etl.Application source: shared objects file (top)"),
                "the application's classes come from the archive");
        assertTrue(log.contains("org.apache.camel.main.Main source: shared objects file (top)"), "and Camel's");
    }
}
