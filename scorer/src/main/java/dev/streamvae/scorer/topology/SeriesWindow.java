package dev.streamvae.scorer.topology;

import dev.streamvae.vae.ScoreSurprise;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The last {@code capacity} readings of one series, as a ring of floats, and the anomaly scores
 * of its last few scored records (the alert look-back), and the moments of its scores under its
 * current model ({@link ScoreSurprise}): the per-series state, bounded in size (capacity x
 * features x 4 bytes, look-back x 8 bytes, 24 bytes of moments, plus the metric and model names).
 * Mutable; owned by one stream task.
 */
final class SeriesWindow {

  /**
   * Format 3 adds the score surprise's state; format 2 (recent scores, no surprise) and format 1
   * (neither) are still read.
   */
  private static final byte FORMAT = 3;
  private static final byte FORMAT_WITHOUT_SURPRISE = 2;
  private static final byte FORMAT_WITHOUT_SCORES = 1;
  private static final double[] NO_SCORES = new double[0];

  private final List<String> features;
  private final int capacity;
  private final float[] ring;
  private long count;
  private long lastTimestamp;
  private int head;
  /** The newest {@code recentCount} scores, oldest first; at most the look-back last asked for. */
  private double[] recentScores = NO_SCORES;
  private int recentCount;
  /** The model ({@code name@version}) whose scores {@link #surprise} holds, or null. */
  private String surpriseModel;
  private ScoreSurprise surprise = ScoreSurprise.EMPTY;

  SeriesWindow(List<String> features, int capacity) {
    this.features = List.copyOf(features);
    this.capacity = capacity;
    this.ring = new float[capacity * features.size()];
    this.lastTimestamp = Long.MIN_VALUE;
  }

  List<String> features() {
    return features;
  }

  int capacity() {
    return capacity;
  }

  long lastTimestamp() {
    return lastTimestamp;
  }

  /** Readings held: the number appended, at most the capacity. */
  int filled() {
    return (int) Math.min(count, capacity);
  }

  void append(long timestamp, float[] row) {
    System.arraycopy(row, 0, ring, head * features.size(), features.size());
    head = (head + 1) % capacity;
    count++;
    lastTimestamp = timestamp;
  }

  /**
   * Whether {@code score} is strictly higher than every score held (true when none is), then
   * holds it, keeping the newest {@code lookback}: the alert rule's rising edge, with its memory.
   */
  boolean risesAboveRecent(double score, int lookback) {
    if (lookback <= 0) {
      recentCount = 0;
      return true;
    }
    // A changed look-back (a restart with another setting) keeps the newest scores that fit.
    if (recentScores.length != lookback) {
      int keep = Math.min(recentCount, lookback);
      double[] next = new double[lookback];
      System.arraycopy(recentScores, recentCount - keep, next, 0, keep);
      recentScores = next;
      recentCount = keep;
    }
    boolean rises = true;
    for (int i = 0; i < recentCount; i++) {
      if (!(score > recentScores[i])) {
        rises = false;
        break;
      }
    }
    if (recentCount == lookback) {
      System.arraycopy(recentScores, 1, recentScores, 0, lookback - 1);
      recentCount--;
    }
    recentScores[recentCount++] = score;
    return rises;
  }

  /**
   * The surprise of a score on {@link ScoreSurprise}'s scale ({@code argument}) against this
   * series' previous scores under the same model, then adds it to them. Under another model than
   * last time (a new version or a new route) the past starts again from that model's
   * {@code baseline}: scores of different models are not on one scale.
   */
  double surprise(String model, ScoreSurprise baseline, double argument) {
    if (!model.equals(surpriseModel)) {
      surpriseModel = model;
      surprise = baseline;
    }
    double out = surprise.of(argument);
    surprise = surprise.add(argument);
    return out;
  }

  /** The held scores, oldest first. */
  double[] recentScores() {
    return Arrays.copyOf(recentScores, recentCount);
  }

  /** The held readings, oldest first, flattened time-major. */
  float[] snapshot() {
    int f = features.size();
    int n = filled();
    float[] out = new float[n * f];
    int start = (head - n + capacity) % capacity;
    for (int i = 0; i < n; i++) {
      System.arraycopy(ring, ((start + i) % capacity) * f, out, i * f, f);
    }
    return out;
  }

  /**
   * Copies the newest {@code rows} readings (at most {@link #filled()}), oldest first, of the
   * given columns into {@code out}, time-major: {@code out[t * columns.length + c]}.
   */
  void copyLast(int rows, int[] columns, float[] out) {
    int f = features.size();
    int start = (head - rows + capacity) % capacity;
    for (int t = 0; t < rows; t++) {
      int base = ((start + t) % capacity) * f;
      for (int c = 0; c < columns.length; c++) {
        out[t * columns.length + c] = ring[base + columns[c]];
      }
    }
  }

  /**
   * A window holding exactly the given readings (oldest first, flattened time-major), as when a
   * format-1 pending entry carried its own copy; its last timestamp is {@code lastTimestamp}.
   */
  static SeriesWindow of(List<String> features, float[] readings, long lastTimestamp) {
    int f = features.size();
    SeriesWindow w = new SeriesWindow(features, Math.max(1, readings.length / f));
    float[] row = new float[f];
    for (int i = 0; i + f <= readings.length; i += f) {
      System.arraycopy(readings, i, row, 0, f);
      w.append(lastTimestamp, row);
    }
    return w;
  }

  byte[] encode() {
    byte[][] names = encodeNames(features);
    byte[] model = surpriseModel == null ? null : surpriseModel.getBytes(StandardCharsets.UTF_8);
    int size = 1 + 4 + 4 + 8 + 8 + 4 + namesSize(names) + ring.length * 4 + 4
        + recentCount * 8 + 4 + (model == null ? 0 : model.length + 8 + 8 + 8);
    ByteBuffer buf = ByteBuffer.allocate(size);
    buf.put(FORMAT).putInt(capacity).putInt(head).putLong(count).putLong(lastTimestamp);
    putNames(buf, names);
    buf.asFloatBuffer().put(ring);
    buf.position(buf.position() + ring.length * 4);
    buf.putInt(recentCount);
    for (int i = 0; i < recentCount; i++) {
      buf.putDouble(recentScores[i]);
    }
    if (model == null) {
      buf.putInt(-1);
    } else {
      buf.putInt(model.length).put(model);
      buf.putLong(surprise.count()).putDouble(surprise.mean()).putDouble(surprise.variance());
    }
    return buf.array();
  }

  static SeriesWindow decode(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    byte format = buf.get();
    if (format != FORMAT && format != FORMAT_WITHOUT_SURPRISE
        && format != FORMAT_WITHOUT_SCORES) {
      throw new IllegalStateException("unknown window state format " + format);
    }
    int capacity = buf.getInt();
    int head = buf.getInt();
    long count = buf.getLong();
    long last = buf.getLong();
    List<String> features = getNames(buf);
    SeriesWindow w = new SeriesWindow(features, capacity);
    buf.asFloatBuffer().get(w.ring);
    buf.position(buf.position() + w.ring.length * 4);
    if (format != FORMAT_WITHOUT_SCORES) {
      int scores = buf.getInt();
      if (scores < 0 || scores > buf.remaining() / 8) {
        throw new IllegalStateException("window state holds " + scores + " scores in "
            + buf.remaining() + " bytes");
      }
      w.recentScores = new double[scores];
      for (int i = 0; i < scores; i++) {
        w.recentScores[i] = buf.getDouble();
      }
      w.recentCount = scores;
    }
    if (format == FORMAT) {
      int length = buf.getInt();
      if (length > buf.remaining()) {
        throw new IllegalStateException("window state names a model of " + length + " bytes in "
            + buf.remaining());
      }
      if (length >= 0) {
        byte[] model = new byte[length];
        buf.get(model);
        w.surpriseModel = new String(model, StandardCharsets.UTF_8);
        w.surprise = new ScoreSurprise(buf.getLong(), buf.getDouble(), buf.getDouble());
      }
    }
    w.head = head;
    w.count = count;
    w.lastTimestamp = last;
    return w;
  }

  static byte[][] encodeNames(List<String> names) {
    byte[][] out = new byte[names.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = names.get(i).getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  static int namesSize(byte[][] names) {
    int size = 4;
    for (byte[] n : names) {
      size += 4 + n.length;
    }
    return size;
  }

  static void putNames(ByteBuffer buf, byte[][] names) {
    buf.putInt(names.length);
    for (byte[] n : names) {
      buf.putInt(n.length).put(n);
    }
  }

  static List<String> getNames(ByteBuffer buf) {
    int n = buf.getInt();
    List<String> names = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[buf.getInt()];
      buf.get(b);
      names.add(new String(b, StandardCharsets.UTF_8));
    }
    return names;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SeriesWindow w && capacity == w.capacity && count == w.count
        && lastTimestamp == w.lastTimestamp && features.equals(w.features)
        && Arrays.equals(snapshot(), w.snapshot())
        && Arrays.equals(recentScores(), w.recentScores())
        && Objects.equals(surpriseModel, w.surpriseModel) && surprise.equals(w.surprise);
  }

  @Override
  public int hashCode() {
    return Objects.hash(features, capacity, count, lastTimestamp);
  }
}
