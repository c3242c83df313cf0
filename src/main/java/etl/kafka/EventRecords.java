package etl.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.kafka.clients.producer.ProducerRecord;

import etl.event.Event;
import etl.http.Json;
import etl.spool.SpoolRecord;

/**
 * Route {@code kafka-produce}'s step: an accepted request (its spool line, as the server writes it for the outbox)
 * becomes one Kafka record per event, keyed by user id (a user's events stay in one partition, in order). A record's
 * value is the event and, for a request with an Idempotency-Key, the event's own key ({@link #eventKey}: the request's
 * key and the event's place) so that a re-sent request is applied once; the first event also carries the request's
 * key and its event count (what a repeat is answered with).
 */
public final class EventRecords implements Processor {

    private final String topic;

    public EventRecords(String topic) {
        this.topic = topic;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        byte[] line = exchange.getMessage().getBody(byte[].class);
        SpoolRecord request = SpoolRecord.read(java.util.Arrays.copyOf(line, line.length - 1));
        List<ProducerRecord<String, String>> records = new ArrayList<>(request.events().size());
        for (int i = 0; i < request.events().size(); i++) {
            Event e = request.events().get(i);
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("userId", e.userId());
            v.put("name", e.name());
            v.put("value", e.value());
            if (request.key() != null) {
                v.put("key", eventKey(request.key(), i));
                if (i == 0) {
                    v.put("requestKey", request.key());
                    v.put("requestEvents", request.events().size());
                }
            }
            records.add(new ProducerRecord<>(topic, e.userId(), Json.write(v)));
        }
        exchange.getMessage().setBody(records);
    }

    /** An event's key: {@code e:<base64url SHA-256 of the request's key>:<index>} (fits the key table's 200). */
    public static String eventKey(String requestKey, int index) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(requestKey.getBytes(StandardCharsets.UTF_8));
            return "e:" + Base64.getUrlEncoder().withoutPadding().encodeToString(h) + ":" + index;
        } catch (java.security.NoSuchAlgorithmException x) {
            throw new IllegalStateException(x);
        }
    }
}
