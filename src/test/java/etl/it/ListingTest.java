package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code GET /userEvents?limit=&after=}: walking every page gives every total once, in the database's user order,
 * pages no larger than asked; bad parameters are a JSON 400 naming the parameter; the token is required.
 */
class ListingTest extends SystemTestBase {

    @Test
    void walkingThePagesGivesEveryTotalOnceInUserOrder() throws Exception {
        String prefix = user("list") + "-";
        StringBuilder body = new StringBuilder("[");
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 57; i++) {
            String u = prefix + (i % 3 == 0 ? "é" : i % 3 == 1 ? "Z" : "a") + i;
            mine.add(u);
            body.append(i > 0 ? "," : "").append("{\"userId\":\"").append(u)
                    .append("\",\"name\":\"add_revenue\",\"value\":").append(i).append(".5}");
        }
        assertEquals(200, Http.post(body.append("]").toString(), AUTH, TOKEN).status());
        Waits.revenue(mine.get(56), "56.5", 15_000);

        List<String> seen = new ArrayList<>();
        Set<String> unique = new HashSet<>();
        String after = null;
        int pages = 0;
        do {
            Http.Reply r = Http.getRaw("/userEvents?limit=7" + (after == null ? ""
                    : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)), AUTH, TOKEN);
            assertEquals(200, r.status(), r.body());
            JsonNode page = r.json();
            assertTrue(page.get("items").size() <= 7);
            for (JsonNode item : page.get("items")) {
                String u = item.get("userId").asText();
                assertTrue(unique.add(u), "listed twice: " + u);
                seen.add(u);
                if (u.startsWith(prefix)) {
                    int i = Integer.parseInt(u.substring(prefix.length() + 1));
                    assertEquals(0, new BigDecimal(i + ".5").compareTo(item.get("revenue").decimalValue()), u);
                }
            }
            after = page.get("next").isNull() ? null : page.get("next").asText();
            pages++;
        } while (after != null && pages < 100_000);

        List<String> expectedOrder = new JdbcTemplate(dataSource()).queryForList(
                "SELECT user_id FROM users_revenue ORDER BY user_id", String.class);
        List<String> listed = new ArrayList<>(seen);
        assertEquals(expectedOrder.size(), listed.size(), "every total listed");
        assertEquals(expectedOrder, listed, "in the database's user order");
        assertTrue(listed.containsAll(mine));
    }

    @Test
    void badParametersAreNamedAndTheTokenIsRequired() throws Exception {
        for (String q : List.of("limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=99999999999999",
                "limit=%00", "limit=1e2")) {
            Http.Reply r = Http.getRaw("/userEvents?" + q, AUTH, TOKEN);
            assertEquals(400, r.status(), q + " " + r.body());
            assertEquals("limit", r.json().get("field").asText(), q);
        }
        for (String q : List.of("after=%FF%FE", "after=!!!", "after=" + "A".repeat(2000), "after=AA", "after=wMA",
                "after=7aCAgA")) {
            Http.Reply r = Http.getRaw("/userEvents?" + q, AUTH, TOKEN);
            assertEquals(400, r.status(), q + " " + r.body());
            assertEquals("after", r.json().get("field").asText(), q);
        }
        Http.Reply noToken = Http.getRaw("/userEvents?limit=5");
        assertEquals(401, noToken.status());
        assertTrue(noToken.json().has("error"));
        Http.Reply one = Http.getRaw("/userEvents?limit=1", AUTH, TOKEN);
        assertEquals(200, one.status());
        assertTrue(one.json().get("items").size() <= 1);
    }
}
