package etl.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import etl.http.HttpReply;
import etl.http.Json;

/** The HTTP steps of the export routes ({@code routes.server.ExportRoute}). */
public final class ExportSteps {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private ExportSteps() {
    }

    /**
     * {@code GET /exports/{id}/file} of a completed export (body: its row): the file, by Vert.x's sendFile (zero copy),
     * with Content-Type, Content-Length, Content-Disposition, an ETag (the file's SHA-256), and one byte range
     * ({@code Range: bytes=a-b}, {@code a-}, {@code -n}; 206, or 416 past the end; {@code If-Range} honoured). A
     * request with several ranges gets the whole file (200), as RFC 9110 allows. A job that is not completed: 409.
     */
    public static final class SendFile implements Processor {
        private final ExportFiles files;

        public SendFile(ExportFiles files) {
            this.files = files;
        }

        @Override
        public void process(Exchange e) throws IOException {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = e.getMessage().getBody(Map.class);
            String id = (String) row.get("id");
            String status = (String) row.get("status");
            if (!"completed".equals(status)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("error", "export " + id + " is " + status + "; its file is served once it is completed");
                m.put("status", status);
                HttpReply.send(e, 409, Json.write(m));
                return;
            }
            Path file = files.file(row);
            if (file == null || !Files.isRegularFile(file)) {
                HttpReply.send(e, 410, Json.error("the file of export " + id + " is gone from the exports folder"));
                return;
            }
            Map<String, Object> result = JobView.json(row.get("result"));
            ExportRequest request = ExportRequest.fromMap(JobView.json(row.get("request")));
            String etag = "\"" + result.get("sha256") + "\"";
            long size = Files.size(file);
            var http = (HttpMessage) e.getMessage();
            var request0 = http.getRequest();
            HttpServerResponse response = http.getResponse();
            response.putHeader("Content-Type", request.contentType())
                    .putHeader("Content-Disposition", "attachment; filename=\"revenue-" + id + "." + request.extension()
                            + "\"")
                    .putHeader("ETag", etag)
                    .putHeader("Accept-Ranges", "bytes")
                    .putHeader("Cache-Control", "private, no-cache");
            String ifNoneMatch = request0.getHeader("If-None-Match");
            if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.trim().equals("*"))) {
                end(e, response.setStatusCode(304), 304);
                return;
            }
            String range = request0.getHeader("Range");
            String ifRange = request0.getHeader("If-Range");
            Matcher r = range == null || (ifRange != null && !ifRange.equals(etag)) ? null
                    : RANGE.matcher(range.trim());
            if (r == null || !r.matches() || (r.group(1).isEmpty() && r.group(2).isEmpty())) {
                response.setStatusCode(200).sendFile(file.toString());
                e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
                return;
            }
            long first;
            long last;
            try {
                if (r.group(1).isEmpty()) { // the last n bytes
                    long n = Long.parseLong(r.group(2));
                    first = Math.max(0, size - n);
                    last = size - 1;
                } else {
                    first = Long.parseLong(r.group(1));
                    last = r.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(r.group(2)), size - 1);
                }
            } catch (NumberFormatException tooLong) {
                first = size;
                last = size - 1;
            }
            if (first >= size || first > last) {
                response.putHeader("Content-Range", "bytes */" + size).setStatusCode(416)
                        .putHeader("Content-Type", "application/json");
                response.end(Json.error("range " + range + " is outside the file's " + size + " bytes"));
                e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 416);
                return;
            }
            response.setStatusCode(206).putHeader("Content-Range", "bytes " + first + "-" + last + "/" + size)
                    .sendFile(file.toString(), first, last - first + 1);
            e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 206);
        }

        private static void end(Exchange e, HttpServerResponse response, int status) {
            response.end();
            e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        }
    }

    /** 200 {@code {"id", "deleted": true}} after {@code DELETE /exports/{id}} removed the job and its file. */
    public static final class Deleted implements Processor {
        @Override
        public void process(Exchange e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.getMessage().getHeader(JobSteps.ID));
            m.put("deleted", true);
            HttpReply.send(e, 200, Json.write(m));
        }
    }
}
