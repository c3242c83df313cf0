package etl.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;

/** Which parts run in this process: {@code etl.roles} (ETL_ROLES), any of server, processor, client. */
public final class Roles {

    public static final String SERVER = "server";
    public static final String PROCESSOR = "processor";
    public static final String CLIENT = "client";
    private static final Set<String> ALL = Set.of(SERVER, PROCESSOR, CLIENT);

    private Roles() {
    }

    public static Set<String> parse(String value) {
        Set<String> roles = Arrays.stream(value.split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
        for (String r : roles) {
            if (!ALL.contains(r)) {
                throw new StartupFailure("ETL_ROLES names an unknown role \"" + r + "\": use server, processor, client");
            }
        }
        if (roles.isEmpty()) {
            throw new StartupFailure("ETL_ROLES names no role: use any of server, processor, client");
        }
        return roles;
    }

    /**
     * Camel Main's {@code routesBuilderClasses} for these roles: the lists of application.properties, {@code
     * etl.routes.common} (the route configurations, the status page's sampler) and {@code etl.routes.<role>} for each
     * role, as placeholders that Camel resolves.
     */
    public static String routesBuilderClasses(Set<String> roles) {
        return "{{etl.routes.common}}," + roles.stream().sorted().map(r -> "{{etl.routes." + r + "}}")
                .collect(Collectors.joining(","));
    }

    public static boolean enabled(CamelContext context, String role) {
        return parse(context.resolvePropertyPlaceholders("{{etl.roles}}")).contains(role);
    }
}
