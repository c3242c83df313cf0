package etl.jobs;

/** A job request refused for one of its fields (400 {@code {"error", "field"}}); field is null for the body. */
public final class FieldError extends Exception {

    private final String field;

    public FieldError(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
