package etl.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

import etl.inbox.InboxRun;

/**
 * The inbox files being read now, for the status page: each is registered when its run opens and leaves when its
 * exchange completes (moved to {@code .done/} or {@code .failed/}).
 */
public final class WorkInProgress {

    private final Map<String, InboxRun> inbox = new ConcurrentHashMap<>();

    /** Registers the file of {@code exchange} until the exchange completes, whichever way. */
    public void reading(Exchange exchange, InboxRun run) {
        String id = exchange.getExchangeId();
        inbox.put(id, run);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange e) {
                inbox.remove(id);
            }
        });
    }

    public List<InboxRun.Progress> inbox() {
        List<InboxRun.Progress> all = new ArrayList<>();
        inbox.values().forEach(r -> all.add(r.snapshot()));
        all.sort((a, b) -> a.file().compareTo(b.file()));
        return all;
    }
}
