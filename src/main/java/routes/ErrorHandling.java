package routes;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.http.base.HttpOperationFailedException;

import etl.http.BodyTooLargeException;
import etl.http.HttpReply;
import etl.jobs.JobProgress;
import etl.jobs.JobSteps;

/** Error handling, stated once per kind of route. */
public class ErrorHandling extends RouteConfigurationBuilder {

    @Override
    public void configuration() {
        // HTTP routes: every failure becomes a JSON answer, with no stack trace and no request header echoed.
        routeConfiguration("http-errors")
            .onException(BodyTooLargeException.class).handled(true)
                .process(new HttpReply.Caught(413, "; nothing was kept"))
            .end()
            // the client went away before its body was read: an answer no one reads, and no error of ours
            .onException(etl.http.RequestBodyReader.ConnectionClosed.class).handled(true)
                .logStackTrace(false).logExhausted(false).logHandled(false)
                .log(LoggingLevel.DEBUG, "${exception.message}")
                .process(new HttpReply.Caught(400, ""))
            .end()
            // the log (outbox/, or Kafka in Kafka mode) did not take the request: nothing of it is kept
            .onException(etl.kafka.KafkaLog.OutcomeUnknown.class).handled(true)
                .log(LoggingLevel.ERROR, "A request's outcome is unknown: ${exception.message}")
                .process(HttpReply.error(503, "Kafka did not answer the commit of these events: whether they were kept"
                        + " is unknown; send them again with the same Idempotency-Key"))
            .end()
            .onException(UncheckedIOException.class).handled(true)
                .log(LoggingLevel.ERROR, "Refusing a request: the log cannot be written: ${exception.message}")
                .process(HttpReply.error(503, "the events could not be written to the log; nothing was kept, try"
                        + " again later"))
            .end()
            .onException(Exception.class).handled(true)
                .log(LoggingLevel.ERROR, "Request failed: ${exception}")
                .process(HttpReply.error(500, "internal error; nothing was kept"))
            .end();

        // The processor's transaction: a failure rolls it back (the files stay in the outbox) and goes back to the
        // polling route, with one log line instead of a stack trace.
        routeConfiguration("processor-rollback")
            .onException(Exception.class).handled(false)
                .logStackTrace(false).logExhausted(false).logRetryAttempted(false)
            .end();

        // The polling route, after the rollback: a request the database refuses for good is isolated and set aside;
        // any other failure (the database down) waits with exponential backoff, holding no connection or lock, and
        // the files are tried again (nothing is lost, the processor catches up).
        routeConfiguration("processor-errors")
            .onException(Exception.class).handled(true)
                .logStackTrace(false).logExhausted(false).logHandled(false)
                .process("batchFailed")
            .end();

        // The job runners: a run that fails is logged in one line and queued again while it has attempts left (or
        // failed for good); a run stopped because its job was deleted or taken over ends quietly. A failure before any
        // job was claimed (the database down) is left to the next poll.
        routeConfiguration("job-errors")
            .onException(JobProgress.JobLost.class).handled(true)
                .logStackTrace(false).logExhausted(false).logHandled(false)
                .log(LoggingLevel.WARN, "${exception.message}")
            .end()
            .onException(Exception.class).handled(true)
                .logStackTrace(false).logExhausted(false).logHandled(false)
                .choice()
                    .when(header(JobSteps.ID).isNotNull())
                        .log(LoggingLevel.ERROR, "Job ${header.etlJobId} failed: ${exception.message}")
                        .process(new JobSteps.Failed())
                        .to("sql:classpath:sql/job-failed.sql?dataSource=#dataSource")
                    .otherwise()
                        .log(LoggingLevel.DEBUG, "No job claimed: ${exception.message}")
                .end()
            .end();

        // The client: while the server is down or answers 5xx, retry the chunk with exponential backoff, for ever.
        // A 4xx (wrong token, refused chunk) is not retried: the file moves to inbox/.failed/.
        routeConfiguration("client-errors")
            .onException(ConnectException.class, SocketTimeoutException.class,
                    org.apache.hc.core5.http.NoHttpResponseException.class)
                .maximumRedeliveries(-1).redeliveryDelay("{{etl.client.retry-initial-ms}}")
                .useExponentialBackOff().backOffMultiplier(2)
                .maximumRedeliveryDelay("{{etl.client.retry-max-ms}}")
                .retryAttemptedLogLevel(LoggingLevel.WARN).logRetryStackTrace(false)
            .end()
            .onException(HttpOperationFailedException.class)
                .onWhen(simple("${exception.statusCode} >= 500"))
                .maximumRedeliveries(-1).redeliveryDelay("{{etl.client.retry-initial-ms}}")
                .useExponentialBackOff().backOffMultiplier(2)
                .maximumRedeliveryDelay("{{etl.client.retry-max-ms}}")
                .retryAttemptedLogLevel(LoggingLevel.WARN).logRetryStackTrace(false)
            .end();
    }
}
