package etl.event;

/** Why the event at {@code index} (0-based position in a request, or line - 1 in a file) was refused. */
public record Invalid(int index, String reason) {
}
