package dev.streamvae.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link MetricReadings#parse} against the databind codec it must agree with: on hand-picked
 * inputs from the bad-input catalogue and on tens of thousands of seeded mutations of valid
 * records, both accept with the same readings or both refuse with the same message; and the
 * streaming path does take the usual records (it is not silently always deferring).
 */
class MetricReadingsTest {

  private static final String[] NUMBERS = {"1.5", "-2.25", "0.0", "-0.0", "1e3", "1.0E-7",
      "12", "-7", "0", "NaN", "Infinity", "-Infinity", "\"NaN\"", "1e400", "-1e400", "1e300",
      "3.4e38", "123456789012345678901234567890", "0.1", "9007199254740993", "null", "true",
      "\"1.5\"", "[1.0]", "{}", "1.", ".5", "01", "+1", "5e", "0x10"};
  private static final String[] NAMES = {"value", "cpu", "mem", "a", "b", "B", "é", "x y", "",
      "\\u00e9", "values", "series", "timestamp", "\\\"q\\\""};
  private static final String[] TIMESTAMPS = {"1700000000000", "0", "-5", "1.5", "1e3",
      "9223372036854775807", "9223372036854775808", "-9223372036854775809", "\"1\"", "null",
      "17000000000000000000000"};
  private static final String[] SERIES = {"\"s-1\"", "null", "5", "\"\"", "\"é\"", "true",
      "[\"a\"]"};
  private static final String MUTATION_CHARS = "{}[]:,\"0123456789.-+eEnulaN \\\t\n";

  static String randomRecord(Random r) {
    List<String> fields = new ArrayList<>();
    if (r.nextInt(3) == 0) {
      fields.add("\"series\":" + SERIES[r.nextInt(SERIES.length)]);
    }
    if (r.nextInt(10) != 0) {
      fields.add("\"timestamp\":" + (r.nextInt(3) == 0 ? TIMESTAMPS[r.nextInt(TIMESTAMPS.length)]
          : Long.toString(1_700_000_000_000L + r.nextInt(1_000_000))));
    }
    if (r.nextInt(12) != 0) {
      StringBuilder values = new StringBuilder("{");
      int n = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(r.nextBoolean() ? 1 : 5);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          values.append(',');
        }
        String name = r.nextInt(3) == 0 ? NAMES[r.nextInt(NAMES.length)] : "m" + r.nextInt(6);
        String number = r.nextInt(3) == 0 ? NUMBERS[r.nextInt(NUMBERS.length)]
            : Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
        values.append('"').append(name).append("\":").append(number);
      }
      fields.add("\"values\":" + values.append('}'));
    }
    if (r.nextInt(20) == 0) {
      fields.add("\"extra\":1");
    }
    java.util.Collections.shuffle(fields, r);
    String sep = r.nextInt(5) == 0 ? " , " : ",";
    return (r.nextInt(6) == 0 ? " \n" : "") + "{" + String.join(sep, fields) + "}"
        + (r.nextInt(15) == 0 ? " x" : r.nextInt(6) == 0 ? "\n" : "");
  }

  static byte[] mutate(byte[] bytes, Random r) {
    StringBuilder s = new StringBuilder(new String(bytes, StandardCharsets.UTF_8));
    int edits = 1 + r.nextInt(3);
    for (int e = 0; e < edits && s.length() > 0; e++) {
      int at = r.nextInt(s.length());
      switch (r.nextInt(4)) {
        case 0 -> s.deleteCharAt(at);
        case 1 -> s.insert(at, MUTATION_CHARS.charAt(r.nextInt(MUTATION_CHARS.length())));
        case 2 -> s.setCharAt(at, MUTATION_CHARS.charAt(r.nextInt(MUTATION_CHARS.length())));
        default -> s.setLength(at);
      }
    }
    byte[] out = s.toString().getBytes(StandardCharsets.UTF_8);
    if (r.nextInt(50) == 0 && out.length > 0) {
      out[r.nextInt(out.length)] = (byte) (0x80 + r.nextInt(0x80)); // not UTF-8
    }
    return out;
  }

  @Test
  void agreesWithTheDatabindCodecOnGeneratedAndMutatedRecords() {
    Random r = new Random(20261121);
    int fast = 0;
    int accepted = 0;
    for (int i = 0; i < 40_000; i++) {
      byte[] bytes = randomRecord(r).getBytes(StandardCharsets.UTF_8);
      if (i % 2 == 1) {
        bytes = mutate(bytes, r);
      }
      MetricReadings streamed = MetricReadings.readUsualShape(bytes);
      MetricRecord decoded = null;
      String refusal = null;
      try {
        decoded = JsonCodec.metricRecord().decode(bytes);
      } catch (SchemaException e) {
        refusal = e.getMessage();
      }
      String input = new String(bytes, StandardCharsets.UTF_8);
      if (streamed != null) {
        fast++;
        if (decoded == null) {
          fail("the streaming path accepted what the codec refuses (" + refusal + "): " + input);
        }
        assertSame(streamed, MetricReadings.of(decoded), input);
      }
      try {
        MetricReadings parsed = MetricReadings.parse(bytes);
        assertThat(decoded).as("accepted only what the codec accepts: %s", input).isNotNull();
        assertSame(parsed, MetricReadings.of(decoded), input);
        accepted++;
      } catch (SchemaException e) {
        assertThat(e.getMessage()).as(input).isEqualTo(refusal);
      }
    }
    assertThat(accepted).as("a fair share of valid records").isGreaterThan(5_000);
    assertThat(fast).as("the streaming path reads most valid records").isGreaterThan(
        accepted * 6 / 10);
  }

  @Test
  void theUsualRecordTakesTheStreamingPath() throws SchemaException {
    byte[] bytes = "{\"series\":\"s\",\"timestamp\":17,\"values\":{\"mem\":2.5,\"cpu\":-1.0}}"
        .getBytes(StandardCharsets.UTF_8);
    MetricReadings readings = MetricReadings.readUsualShape(bytes);
    assertThat(readings).isNotNull();
    assertThat(readings.series()).isEqualTo("s");
    assertThat(readings.timestamp()).isEqualTo(17);
    assertThat(readings.names()).containsExactly("cpu", "mem");
    assertThat(readings.value(0)).isEqualTo(-1.0);
    assertThat(readings.value(1)).isEqualTo(2.5);
    assertSame(MetricReadings.parse(bytes), readings, "same");
  }

  @Test
  void refusalsCarryTheCodecsMessage() {
    for (String input : List.of("", "null", "[1]", "{\"timestamp\":1,\"values\":{}}",
        "{\"timestamp\":1,\"values\":{\"v\":1.0,\"v\":2.0}}",
        "{\"timestamp\":1.5,\"values\":{\"v\":1.0}}", "{\"values\":{\"v\":1.0}}",
        "{\"timestamp\":1,\"values\":{\"v\":1.0}} trailing",
        "{\"timestamp\":1,\"values\":{\"v\":null}}", "{\"timestamp\":1,\"values\":{\"v\":\"1\"}}",
        "{\"timestamp\":1,\"values\":{\"v\":1.0},\"x\":1}")) {
      byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
      String expected = null;
      try {
        JsonCodec.metricRecord().decode(bytes);
      } catch (SchemaException e) {
        expected = e.getMessage();
      }
      assertThat(expected).as(input).isNotNull();
      try {
        MetricReadings.parse(bytes);
        fail("accepted " + input);
      } catch (SchemaException e) {
        assertThat(e.getMessage()).isEqualTo(expected);
      }
    }
  }

  private static void assertSame(MetricReadings actual, MetricReadings expected, String input) {
    assertThat(actual.series()).as(input).isEqualTo(expected.series());
    assertThat(actual.timestamp()).as(input).isEqualTo(expected.timestamp());
    assertThat(actual.names()).as(input).isEqualTo(expected.names());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(Double.compare(actual.value(i), expected.value(i))).as(input + " value " + i)
          .isZero();
    }
  }
}
