package etl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.apache.camel.RoutesBuilder;
import org.junit.jupiter.api.Test;

/**
 * The route builders are named per role in application.properties (no classpath scan): every RoutesBuilder of
 * package {@code routes} is in exactly one list, each role's list holds its package's builders, and nothing else.
 */
class RolesTest {

    @Test
    void everyRouteBuilderIsListedUnderItsRole() throws Exception {
        Properties props = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            props.load(in);
        }
        Set<String> listed = new TreeSet<>();
        for (String role : new String[] {"common", Roles.SERVER, Roles.PROCESSOR, Roles.CLIENT}) {
            String pkg = role.equals("common") ? "routes" : "routes." + role;
            for (String cls : props.getProperty("etl.routes." + role).split(",")) {
                String name = cls.trim();
                assertEquals(pkg, name.substring(0, name.lastIndexOf('.')), name + " is not in package " + pkg);
                assertTrue(listed.add(name), name + " is listed twice");
            }
        }
        URL root = getClass().getClassLoader().getResource("routes");
        Set<String> found = new TreeSet<>();
        Path dir = Path.of(root.toURI());
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$")).toList()) {
                String name = "routes." + dir.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (RoutesBuilder.class.isAssignableFrom(Class.forName(name))) {
                    found.add(name);
                }
            }
        }
        assertEquals(found, listed);
        assertTrue(Arrays.asList(props.getProperty("camel.main.routesBuilderClasses").split(","))
                .containsAll(Set.of("{{etl.routes.common}}", "{{etl.routes.server}}", "{{etl.routes.processor}}",
                        "{{etl.routes.client}}")), "all roles by default");
    }
}
