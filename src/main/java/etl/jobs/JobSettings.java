package etl.jobs;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.UUID;

/**
 * What the job routes share: this process's name as a job's owner (unique per start, so that a restarted process
 * never mistakes a job of its killed predecessor for its own), the lease a running job holds between two progress
 * updates, how many times an interrupted job is tried, the exports and imports folders and how long a finished job
 * (and its file) is kept.
 */
public record JobSettings(String owner, long leaseMillis, int maxAttempts, Path exportsDir, long exportRetentionMillis,
        Path importsDir, long jobRetentionMillis) {

    public static JobSettings of(long leaseMillis, int maxAttempts, Path exportsDir, double exportRetentionDays,
            Path importsDir, double jobRetentionDays) {
        String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        return new JobSettings(owner, leaseMillis, maxAttempts, exportsDir, (long) (exportRetentionDays * 86_400_000L),
                importsDir, (long) (jobRetentionDays * 86_400_000L));
    }
}
