package etl.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import etl.metrics.EtlMetrics;
import etl.processor.OutboxFiles;

class StatusHistoryTest {

    @TempDir
    Path outbox;

    @Test
    void ratesAreCountsPerSecondOverEachIntervalAndTheWindowIsBounded() {
        EtlMetrics metrics = new EtlMetrics(new SimpleMeterRegistry(), new OutboxFiles(outbox, true));
        StatusHistory history = new StatusHistory(metrics, 3000, 1000);
        history.sample(10_000);
        metrics.accepted(40);
        metrics.rejectedHttp(2);
        metrics.rejectedInbox(3);
        history.sample(12_000); // 2 s later
        List<StatusHistory.Sample> s = history.samples();
        assertEquals(1, s.size(), "the first sample only starts the counting");
        assertEquals(20.0, s.get(0).accepted());
        assertEquals(2.5, s.get(0).rejected());
        assertEquals(0.0, s.get(0).applied());
        assertNull(s.get(0).lagSeconds(), "no file applied: no lag");
        for (int i = 1; i <= 5; i++) {
            history.sample(12_000 + i * 1000L);
        }
        assertEquals(3, history.samples().size(), "15 minutes' worth, here 3 s of 1 s samples");
        Map<String, List<Object>> cols = history.columns();
        assertEquals(List.of(15.0, 16.0, 17.0), cols.get("t"));
        assertEquals(3, cols.get("backlogFiles").size());
    }
}
