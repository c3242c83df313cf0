package etl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void revenueIsAPlainExactNumber() {
        assertEquals("{\"userId\":\"u\",\"revenue\":50}", Json.revenue("u", new BigDecimal("50.00")));
        assertEquals("{\"userId\":\"u\",\"revenue\":0.3}", Json.revenue("u", new BigDecimal("0.30")));
        assertEquals("{\"userId\":\"u\",\"revenue\":100}", Json.revenue("u", new BigDecimal("100.00")));
        assertEquals("{\"userId\":\"u\",\"revenue\":-0.05}", Json.revenue("u", new BigDecimal("-0.05")));
        assertEquals("{\"userId\":\"u\",\"revenue\":0}", Json.revenue("u", new BigDecimal("0.00")));
    }
}
