package etl.jobs;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import etl.event.EventValidator;
import etl.io.Utf8;

/**
 * What {@code POST /audits} asks for: nothing (an empty body, or {@code {}}), or {@code {"rebuild": true}}: when the
 * totals differ from the archive and the archive is complete, replace them with the archive's sums. Read as strictly
 * as an export request: UTF-8, one object, no unknown field.
 */
public record AuditRequest(boolean rebuild) {

    public static AuditRequest parse(byte[] body) throws FieldError {
        if (body.length > ExportRequest.MAX_BODY_BYTES) {
            throw new FieldError(null, "the audit request is larger than " + ExportRequest.MAX_BODY_BYTES + " bytes");
        }
        int from = Utf8.hasBom(body, 0, body.length) ? 3 : 0;
        String json;
        try {
            json = Utf8.decode(body, from, body.length);
        } catch (Utf8.InvalidException e) {
            throw new FieldError(null, "the audit request is not valid UTF-8: " + e.getMessage());
        }
        if (json.isBlank()) {
            return new AuditRequest(false);
        }
        boolean rebuild = false;
        try (JsonParser p = EventValidator.MAPPER.createParser(json)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FieldError(null, "the audit request must be a JSON object, e.g. {\"rebuild\": false}");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals("rebuild")) {
                    throw new FieldError(field, "unknown field \"" + field + "\": an audit takes rebuild");
                }
                if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
                    throw new FieldError("rebuild", "rebuild must be true or false");
                }
                rebuild = value == JsonToken.VALUE_TRUE;
            }
            if (p.nextToken() != null) {
                throw new FieldError(null, "text after the JSON object");
            }
        } catch (StreamConstraintsException e) {
            throw new FieldError(null, "the audit request is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new FieldError(null, "the audit request is not valid JSON: " + EventValidator.brief(e));
        }
        return new AuditRequest(rebuild);
    }

    /** The request's form as a job's row keeps it (a {@link JobSteps.RequestReader}). */
    public static Map<String, Object> read(byte[] body) throws FieldError {
        return parse(body).toMap();
    }

    public Map<String, Object> toMap() {
        return Map.of("rebuild", rebuild);
    }
}
