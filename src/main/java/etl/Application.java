package etl;

import java.util.Set;

import org.apache.camel.main.Main;

import etl.config.Roles;
import etl.config.StartupFailure;

/**
 * Starts the ETL: Camel Main with the route builders of the roles (application.properties) and the wiring of {@code etl.config.EtlConfiguration}.
 * A process that cannot start says why in one line and exits with status 1.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Main main = new Main();
        try {
            // the roles are chosen here, once: each role's route builders are listed in application.properties
            // (etl.routes.<role>, one package per role); the route configurations serve them all
            Set<String> roles = Roles.parse(System.getenv().getOrDefault("ETL_ROLES", "server,processor,client"));
            main.addOverrideProperty("camel.main.routesBuilderClasses", Roles.routesBuilderClasses(roles));
            if (!roles.contains(Roles.SERVER)) {
                main.addOverrideProperty("camel.server.enabled", "false");
            }
            int code = main.run(args);
            System.exit(code);
        } catch (Throwable e) {
            Throwable t = e;
            while (t != null && !(t instanceof StartupFailure)) {
                t = t.getCause();
            }
            String why = t != null ? t.getMessage() : e.toString();
            System.err.println("etl: cannot start: " + why);
            System.exit(1);
        }
    }
}
