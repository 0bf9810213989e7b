package dev.streamvae.scorer.topology;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded random input for the scorer: mostly valid metric records over a set of series with
 * increasing timestamps, mixed with records mutated in every way the bad-input catalogue
 * names (bytes flipped or cut, wrong types, missing and extra fields, NaN and huge readings,
 * odd keys, far-off timestamps, oversized values, binary garbage). Shared by the
 * topology-driver test and the real-broker test.
 */
final class GeneratedInput {

  /** One generated input record; {@code valid} says it was left unmutated. */
  record Input(byte[] key, byte[] value, boolean valid) { }

  private final Random random;
  private final int seriesCount;
  private final long start;
  private final long step;
  private final long[] next;
  private final int oversizedBytes;

  GeneratedInput(long seed, int seriesCount, long start, long step, int oversizedBytes) {
    this.random = new Random(seed);
    this.seriesCount = seriesCount;
    this.start = start;
    this.step = step;
    this.next = new long[seriesCount];
    this.oversizedBytes = oversizedBytes;
  }

  Input next() {
    int s = random.nextInt(seriesCount);
    String series = "gen-" + s;
    long timestamp = start + next[s] * step;
    double value = 10 + 2 * Math.sin(next[s] / 4.0) + 0.1 * random.nextGaussian();
    if (random.nextInt(100) < 60) {
      next[s]++;
      return new Input(bytes(series), bytes(json(timestamp, "\"value\":" + value)), true);
    }
    // About one in ten mutations still reaches the window (e.g. a duplicate timestamp).
    int mutation = random.nextInt(20);
    String key = series;
    String value1 = json(timestamp, "\"value\":" + value);
    byte[] raw;
    switch (mutation) {
      case 0 -> raw = flip(bytes(value1));
      case 1 -> raw = Arrays.copyOf(bytes(value1), random.nextInt(value1.length()));
      case 2 -> raw = bytes(json(timestamp, "\"value\":\"" + value + "\""));
      case 3 -> raw = bytes(json(timestamp, "\"value\":" + pick("NaN", "Infinity",
          "-Infinity", "1e400", "-3e300", "true", "null", "[1]", "{}")));
      case 4 -> raw = bytes("{\"values\":{\"value\":" + value + "}}");
      case 5 -> raw = bytes("{\"timestamp\":" + timestamp + ",\"values\":{\"value\":" + value
          + "},\"extra\":1}");
      case 6 -> {
        key = pick(null, "", "   ");
        raw = bytes(value1);
      }
      case 7 -> raw = bytes(json(pick(-5L, Long.MAX_VALUE, start + 3_650L * 86_400_000L),
          "\"value\":" + value));
      case 8 -> raw = bytes(json(timestamp - (1 + random.nextInt(50)) * step,
          "\"value\":" + value));
      case 9 -> raw = bytes(json(Math.max(start, timestamp - step), "\"value\":" + value));
      case 10 -> {
        raw = new byte[random.nextInt(64)];
        random.nextBytes(raw);
      }
      case 11 -> {
        raw = new byte[oversizedBytes + random.nextInt(1000)];
        Arrays.fill(raw, (byte) '7');
      }
      case 12 -> raw = bytes(json(timestamp, "\"value\":" + value + ",\"other\":1"));
      case 13 -> raw = bytes(json(timestamp, "\"other\":" + value));
      case 14 -> raw = bytes(json(timestamp, manyMetrics(100)));
      case 15 -> {
        raw = bytes(value1);
        return new Input(new byte[] {(byte) 0xff, (byte) 0xfe, 'x'}, raw, false);
      }
      case 16 -> raw = bytes("{\"series\":\"someone-else\",\"timestamp\":" + timestamp
          + ",\"values\":{\"value\":" + value + "}}");
      case 17 -> raw = bytes(json(timestamp, "\"value\":" + value) + "}");
      case 18 -> raw = null;
      default -> raw = bytes(pick("", "null", "[]", "1", "\"x\"", "{", "{\"timestamp\":"));
    }
    return new Input(key == null ? null : bytes(key), raw, false);
  }

  private String manyMetrics(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":").append(i);
    }
    return b.toString();
  }

  private static String json(long timestamp, String values) {
    return "{\"timestamp\":" + timestamp + ",\"values\":{" + values + "}}";
  }

  private byte[] flip(byte[] b) {
    byte[] copy = b.clone();
    int flips = 1 + random.nextInt(3);
    for (int i = 0; i < flips; i++) {
      copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
    }
    return copy;
  }

  @SafeVarargs
  private <T> T pick(T... options) {
    return options[random.nextInt(options.length)];
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
