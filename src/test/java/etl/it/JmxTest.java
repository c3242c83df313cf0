package etl.it;

import static etl.it.SystemTestBase.AUTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.TreeSet;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;

/** Camel's route MBeans are on JMX, one per route id of the map in the README, and they count exchanges. */
class JmxTest extends SystemTestBase {

    @Test
    void routeMBeansAreNamedForTheirJobsAndCountExchanges() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        Set<String> ids = new TreeSet<>();
        for (ObjectName n : jmx.queryNames(new ObjectName("org.apache.camel:context=revenue-etl,type=routes,*"), null)) {
            ids.add(ObjectName.unquote(n.getKeyProperty("name")));
        }
        assertTrue(ids.containsAll(Set.of("http-ingest", "http-ingest-accept", "outbox-spool", "http-query",
                "outbox-processor", "outbox-batch", "outbox-file", "outbox-request", "inbox-client",
                "inbox-send-chunk", "key-retention")), ids.toString());

        ObjectName ingest = new ObjectName("org.apache.camel:context=revenue-etl,type=routes,name=\"http-ingest\"");
        long before = (Long) jmx.getAttribute(ingest, "ExchangesTotal");
        String u = user("jmx");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, Http.post("{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":1}", AUTH, TOKEN)
                    .status());
        }
        assertEquals(before + 3, (Long) jmx.getAttribute(ingest, "ExchangesTotal"));
        Waits.revenue(u, "3", 5000);
        ObjectName batch = new ObjectName("org.apache.camel:context=revenue-etl,type=routes,name=\"outbox-batch\"");
        assertTrue((Long) jmx.getAttribute(batch, "ExchangesCompleted") > 0);
    }
}
