package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The Postman collection (postman/revenue-etl.postman_collection.json), which covers the whole HTTP API, run with
 * newman against the packaged application, as the original system's users would run it. Newman (npm package
 * newman, the version below) is installed into target/newman by the test itself when it is not there yet; .ci/run has
 * Node.js and npm. It runs in the default mode and in Kafka mode.
 */
class PostmanIT {

    private static final int PORT = 18495;
    static final String NEWMAN = "newman@6.2.2";

    @Test
    void theCollectionPassesAgainstThePackagedApplication() throws Exception {
        run("default", Map.of("ETL_JOBS_POLL_MS", "100"));
    }

    /** The same contract in Kafka mode (the embedded broker): the API does not change with the log behind it. */
    @Test
    void theCollectionPassesInKafkaMode() throws Exception {
        run("kafka", Map.of("ETL_JOBS_POLL_MS", "100", "ETL_KAFKA_BOOTSTRAP", "embedded",
                "ETL_KAFKA_EMBEDDED_PORT", "19460", "ETL_KAFKA_PARTITIONS", "3"));
    }

    private void run(String mode, Map<String, String> env) throws Exception {
        Path newman = Path.of("target", "newman", "node_modules", ".bin", "newman").toAbsolutePath();
        if (!Files.isExecutable(newman)) {
            Path npmLog = Path.of("target", "newman-install.txt");
            assumeTrue(run(List.of("npm", "--version"), Path.of("target"), 30, npmLog) == 0, "npm is not installed");
            Files.createDirectories(newman.getParent().getParent().getParent());
            assertEquals(0, run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix",
                    newman.getParent().getParent().getParent().toString(), NEWMAN), Path.of("target"), 300, npmLog),
                    "npm install " + NEWMAN + ": " + Files.readString(npmLog));
        }
        Path work = Path.of("target", "postman-" + mode + "-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        try (AppProcess app = AppProcess.start(work, PORT, log, env)) {
            Path out = work.resolve("newman.txt");
            int status = run(List.of(newman.toString(), "run",
                    Path.of("postman", "revenue-etl.postman_collection.json").toAbsolutePath().toString(),
                    "--env-var", "baseUrl=http://localhost:" + PORT, "--reporters", "cli", "--color", "off"), work, 300,
                    out);
            String report = Files.readString(out);
            System.out.println(report);
            assertEquals(0, status, "newman failed:\n" + report.substring(Math.max(0, report.length() - 6000)));
        } finally {
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }

    private static int run(List<String> command, Path dir, long timeoutSeconds, Path out) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
        } catch (java.io.IOException notThere) {
            return -1;
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command.get(0) + " did not finish within " + timeoutSeconds + " s");
        }
        return p.exitValue();
    }
}
