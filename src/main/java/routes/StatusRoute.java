package routes;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

import etl.status.StatusHistory;

/**
 * The status page's history (in every process, whatever its roles): every {@code etl.status.sample-ms}, the rates
 * and the backlog are sampled for the charts of the last 15 minutes.
 */
public class StatusRoute extends RouteBuilder {

    @BeanInject
    private StatusHistory history;

    @Override
    public void configure() {
        from("timer:status-sampler?delay=0&period={{etl.status.sample-ms}}")
            .routeId("status-sampler")
            .process(history);
    }
}
