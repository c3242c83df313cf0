package etl.jobs;

import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import etl.http.HttpReply;
import etl.http.Json;
import etl.http.RequestBodyReader;
import etl.http.TrustedHeaders;

/**
 * The steps every kind of job shares, and the headers they use: {@link #KIND} ({@code import}, {@code export},
 * {@code audit}), {@link #ID}, {@link #REQUEST} (what was asked, JSON), {@link #KEY} (the Idempotency-Key or null);
 * for a runner {@link #OWNER}, {@link #LEASE}, {@link #MAX_ATTEMPTS}, {@link #RETENTION}; for the end of a run
 * {@link #DONE}, {@link #RESULT} (JSON) or {@link #ERROR}.
 */
public final class JobSteps {

    public static final String KIND = "etlJobKind";
    public static final String ID = "etlJobId";
    public static final String REQUEST = "etlJobRequest";
    public static final String KEY = "etlJobKey";
    public static final String OWNER = "etlJobOwner";
    public static final String LEASE = "etlJobLeaseMs";
    public static final String MAX_ATTEMPTS = "etlJobMaxAttempts";
    public static final String RETENTION = "etlJobRetentionMs";
    public static final String DONE = "etlJobDone";
    public static final String RESULT = "etlJobResult";
    public static final String ERROR = "etlJobError";
    /** Set when a request's Idempotency-Key had made a job before: the id the new job would have had. */
    public static final String NEW_ID = "etlNewJobId";
    /** Set when a job's request came with a Content-Type other than JSON. */
    public static final String WRONG_TYPE = "etlWrongContentType";

    /** Job ids are random UUIDs; anything else in a job's path is no job, answered without asking the database. */
    private static final Pattern ID_SHAPE = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private JobSteps() {
    }

    /** Reads a job's JSON request from the body's bytes, refusing it by field. */
    @FunctionalInterface
    public interface RequestReader {
        Map<String, Object> read(byte[] body) throws FieldError;
    }

    /**
     * {@code POST /exports}, {@code POST /audits}: the body (read by the door) as the kind's request; header
     * {@link #REQUEST} is its JSON, or {@link HttpReply#INVALID_REASON} says what is wrong. A Content-Type other than
     * JSON is header {@link #WRONG_TYPE} (415).
     */
    public static final class ParseRequest implements Processor {
        /**
         * What a JSON request may come as: JSON, none, and what curl's {@code -d} and fetch's default send (the body is
         * read raw whatever the type, as {@code POST /liveEvent} reads it); anything else (CSV, XML, a form upload)
         * is 415.
         */
        static final java.util.Set<String> JSON_TYPES = java.util.Set.of("", "application/json",
                "application/x-www-form-urlencoded", "text/plain");
        private final RequestBodyReader body;
        private final RequestReader reader;

        public ParseRequest(RequestBodyReader body, RequestReader reader) {
            this.body = body;
            this.reader = reader;
        }

        @Override
        public void process(Exchange e) throws Exception {
            var m = e.getMessage();
            String type = m.getHeader(Exchange.CONTENT_TYPE, String.class);
            String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (!JSON_TYPES.contains(media) && !media.endsWith("+json")) {
                m.setHeader(WRONG_TYPE, media);
                return;
            }
            try {
                m.setHeader(REQUEST, Json.write(reader.read(body.read(m.getBody()))));
            } catch (FieldError f) {
                HttpReply.refuseField(e, f.field(), f.getMessage());
            }
        }
    }

    /** 415: a job's request is JSON. */
    public static final class WrongType implements Processor {
        @Override
        public void process(Exchange e) {
            HttpReply.send(e, 415, Json.error("a job's request is JSON (Content-Type: application/json), not "
                    + e.getMessage().getHeader(WRONG_TYPE)));
        }
    }

    /** A new job of a kind: a fresh id and the request's Idempotency-Key (header {@link #REQUEST} set before). */
    public static final class New implements Processor {
        private final String kind;

        public New(String kind) {
            this.kind = kind;
        }

        @Override
        public void process(Exchange e) {
            var m = e.getMessage();
            m.setHeader(KIND, kind);
            m.setHeader(ID, UUID.randomUUID().toString());
            m.setHeader(KEY, m.getHeader(TrustedHeaders.IDEMPOTENCY_KEY, String.class));
        }
    }

    /** The job named by the path ({@code {id}}), of a kind; {@link #ID} is removed when it cannot be a job's id. */
    public static final class Named implements Processor {
        private final String kind;

        public Named(String kind) {
            this.kind = kind;
        }

        @Override
        public void process(Exchange e) {
            var m = e.getMessage();
            String id = m.getHeader("id", String.class);
            m.setHeader(KIND, kind);
            if (id != null && ID_SHAPE.matcher(id).matches()) {
                m.setHeader(ID, id);
            } else {
                m.removeHeader(ID);
            }
        }
    }

    /** A runner's settings, as the headers of job-claim.sql, job-complete.sql and job-failed.sql. */
    public static final class Claim implements Processor {
        private final String kind;
        private final JobSettings settings;
        private final long retentionMillis;

        public Claim(String kind, JobSettings settings, long retentionMillis) {
            this.kind = kind;
            this.settings = settings;
            this.retentionMillis = retentionMillis;
        }

        @Override
        public void process(Exchange e) {
            var m = e.getMessage();
            m.setHeader(KIND, kind);
            m.setHeader(OWNER, settings.owner());
            m.setHeader(LEASE, settings.leaseMillis());
            m.setHeader(MAX_ATTEMPTS, settings.maxAttempts());
            m.setHeader(RETENTION, retentionMillis);
        }
    }

    /** The claimed job's id from its row (the body), for the log and the steps after it. */
    public static final class Claimed implements Processor {
        @Override
        public void process(Exchange e) {
            e.getMessage().setHeader(ID, e.getMessage().getBody(Map.class).get("id"));
        }
    }

    /** Header {@link #ERROR}: why the run failed (the exception the error handler caught). */
    public static final class Failed implements Processor {
        @Override
        public void process(Exchange e) {
            Exception caught = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            String why = caught == null ? "failed" : caught.getMessage() == null ? caught.getClass().getSimpleName()
                    : caught.getMessage();
            e.getMessage().setHeader(ERROR, why.length() > 1000 ? why.substring(0, 1000) : why);
        }
    }

    /**
     * 200, or 202 for a new job, with the job's view (body: its row from job-get.sql) and its Location: {@code
     * /exports/<id>}, {@code /imports/<id>}, {@code /audits/<id>}.
     */
    public static final class Show implements Processor {
        private final int status;

        public Show(int status) {
            this.status = status;
        }

        @Override
        public void process(Exchange e) {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = e.getMessage().getBody(Map.class);
            String id = (String) row.get("id");
            String path = "/" + row.get("kind") + "s";
            HttpReply.send(e, status, Json.write(JobView.of(row, path)));
            if (status == 202) {
                e.getMessage().setHeader("Location", path + "/" + id);
            }
        }
    }

    /** 404: no such job (never created, deleted, or expired). */
    public static final class NotFound implements Processor {
        private final String kind;

        public NotFound(String kind) {
            this.kind = kind;
        }

        @Override
        public void process(Exchange e) {
            String id = e.getMessage().getHeader("id", String.class);
            HttpReply.send(e, 404, Json.error("no " + kind + " " + id + " (never created, deleted or expired)"));
        }
    }
}
