package etl.config;

/** A reason the process cannot start, said in one line to the operator (no stack trace). */
public class StartupFailure extends RuntimeException {
    public StartupFailure(String message) {
        super(message);
    }

    public StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
