package routes.server;

import org.apache.camel.builder.RouteBuilder;

import etl.http.StaticResources;

/**
 * API documentation: the OpenAPI 3 document at {@code /openapi.json}, and Swagger UI (from the org.webjars:swagger-ui
 * artifact, nothing downloaded at run time) at {@code /docs}, where a person can send an event.
 */
public class ApiDocsRoute extends RouteBuilder {

    @Override
    public void configure() {
        StaticResources swaggerUi = new StaticResources(
                "META-INF/resources/webjars/swagger-ui/{{etl.docs.swagger-ui-version}}/".replace(
                        "{{etl.docs.swagger-ui-version}}",
                        getContext().resolvePropertyPlaceholders("{{etl.docs.swagger-ui-version}}")));

        from("platform-http:/openapi.json?httpMethodRestrict=GET")
            .routeId("api-openapi")
            .process(StaticResources.classpath("api/openapi.json"));

        from("platform-http:/docs?httpMethodRestrict=GET")
            .routeId("api-docs")
            .process(StaticResources.classpath("api/docs.html"));

        from("platform-http:/docs/init.js?httpMethodRestrict=GET")
            .routeId("api-docs-init")
            .process(StaticResources.classpath("api/docs-init.js"));

        from("platform-http:/docs/swagger-ui/{file}?httpMethodRestrict=GET")
            .routeId("api-docs-assets")
            .process(swaggerUi);
    }

}
