package etl.jobs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import etl.event.Event;
import etl.event.EventValidator;
import etl.http.Json;
import etl.io.Utf8;

/**
 * The events of a CSV import (RFC 4180, read by Apache Commons CSV): a header naming {@code userId}, {@code name} and
 * {@code value} (in any order, any case, other columns ignored), then one event a record. Lines arrive as bytes, as
 * the file holds them; a record is complete when its quotes are balanced (a quoted field may hold line breaks), and is
 * then decoded (strict UTF-8) and parsed on its own, so that one bad record concerns that record only. Each record
 * becomes the event {@code {"userId", "name", "value"}} and is checked by the same rules as every other event, the
 * value written as it stands in the file (it must be a JSON number: {@code 12.50}, not {@code $12.50}).
 */
final class CsvEvents {

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().get();
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private final int maxRecordBytes;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private long pendingLine;
    private boolean inQuotes;
    private boolean tooLong;
    private boolean any;
    private int userCol = -1;
    private int nameCol;
    private int valueCol;
    private long records;

    CsvEvents(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The file is not CSV of events: its header (the first record) does not name the three columns. */
    static final class WrongHeader extends IllegalArgumentException {
        WrongHeader(String message) {
            super(message);
        }
    }

    /** Why a header cannot be an import's (null: it can): the columns it lacks. */
    static String headerProblem(String headerLine) {
        List<String> columns = columns(headerLine);
        if (columns == null) {
            return "the first line is not a CSV header";
        }
        List<String> missing = new ArrayList<>();
        for (String want : new String[] {"userid", "name", "value"}) {
            if (!columns.contains(want)) {
                missing.add(want.equals("userid") ? "userId" : want);
            }
        }
        return missing.isEmpty() ? null : "the CSV header must name the columns userId, name and value; it lacks "
                + String.join(", ", missing);
    }

    private static List<String> columns(String headerLine) {
        try (CSVParser p = CSVParser.parse(headerLine, FORMAT)) {
            List<CSVRecord> r = p.getRecords();
            if (r.size() != 1) {
                return null;
            }
            List<String> names = new ArrayList<>();
            for (String c : r.get(0)) {
                names.add(c.trim().toLowerCase(Locale.ROOT));
            }
            return names;
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            return null;
        }
    }

    long records() {
        return records;
    }

    /** One line of the file (number {@code lineNo}); a complete record goes to events, or to the rejected lines. */
    void line(byte[] line, long lineNo, List<Event> events, ImportRun.Rejects rejects) throws IOException {
        int from = lineNo == 1 && Utf8.hasBom(line, 0, line.length) ? 3 : 0;
        if (pending.size() == 0 && !any) {
            pendingLine = lineNo;
        }
        if (any) {
            append(new byte[] {'\n'}, 0, 1);
        }
        any = true;
        append(line, from, line.length);
        for (int i = from; i < line.length; i++) {
            if (line[i] == '"') {
                inQuotes = !inQuotes;
            }
        }
        if (!inQuotes) {
            decide(events, rejects);
        }
    }

    /** The end of the file: a record still open (a quote never closed) is rejected. */
    void end(ImportRun.Rejects rejects) throws IOException {
        if (any) {
            rejects.reject(pendingLine, "a quoted field is not closed before the end of the file", bytes());
            records++;
            reset();
        }
    }

    private void append(byte[] b, int from, int to) {
        int room = maxRecordBytes + 1 - pending.size();
        if (to - from > room) {
            tooLong = true;
        }
        pending.write(b, from, Math.max(0, Math.min(room, to - from)));
    }

    private byte[] bytes() {
        return pending.toByteArray();
    }

    private void reset() {
        pending.reset();
        any = false;
        tooLong = false;
        inQuotes = false;
    }

    private void decide(List<Event> events, ImportRun.Rejects rejects) throws IOException {
        byte[] raw = bytes();
        long line = pendingLine;
        boolean over = tooLong;
        reset();
        int to = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
        if (EventValidator.blank(raw, 0, to)) {
            return;
        }
        if (over) {
            records++;
            rejects.reject(line, "the record is longer than " + maxRecordBytes + " bytes", raw);
            return;
        }
        String text;
        try {
            text = Utf8.decode(raw, 0, to);
        } catch (Utf8.InvalidException e) {
            records++;
            rejects.reject(line, "not valid UTF-8: " + e.getMessage(), raw);
            return;
        }
        if (userCol < 0) {
            header(text);
            return;
        }
        records++;
        CSVRecord record;
        try (CSVParser p = CSVParser.parse(text, FORMAT)) {
            List<CSVRecord> all = p.getRecords();
            if (all.size() != 1) {
                rejects.reject(line, "not one CSV record", raw);
                return;
            }
            record = all.get(0);
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            rejects.reject(line, "not valid CSV: " + e.getMessage(), raw);
            return;
        }
        int need = Math.max(userCol, Math.max(nameCol, valueCol)) + 1;
        if (record.size() < need) {
            rejects.reject(line, "the record has " + record.size() + " fields; the header names " + need, raw);
            return;
        }
        String value = record.get(valueCol).trim();
        if (!NUMBER.matcher(value).matches()) {
            rejects.reject(line, "value is not a number: " + (value.length() > 40 ? value.substring(0, 40) + "…"
                    : value), raw);
            return;
        }
        String json = "{\"userId\":" + Json.write(record.get(userCol)) + ",\"name\":" + Json.write(record.get(nameCol))
                + ",\"value\":" + value + "}";
        EventValidator.Result r = EventValidator.validateJson(json);
        if (r.valid()) {
            events.add(r.event());
        } else {
            rejects.reject(line, r.reason(), raw);
        }
    }

    private void header(String text) {
        String problem = headerProblem(text);
        if (problem != null) {
            throw new WrongHeader(problem);
        }
        List<String> c = columns(text);
        userCol = c.indexOf("userid");
        nameCol = c.indexOf("name");
        valueCol = c.indexOf("value");
    }
}
