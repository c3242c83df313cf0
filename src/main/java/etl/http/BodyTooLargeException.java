package etl.http;

/** The request body is larger than the configured limit (answered 413). */
public class BodyTooLargeException extends RuntimeException {
    public BodyTooLargeException(long limit) {
        super("the body is larger than the limit of " + limit + " bytes");
    }
}
