package dev.streamvae.testkit;

import dev.streamvae.schemas.MetricRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded, deterministic metric series with labelled anomalies, for tests and the demo.
 *
 * <p>Every (series, feature) pair is a base level plus a seasonal sine of the configured period,
 * a smaller second harmonic and gaussian noise, with its own level, amplitude and phase. Each
 * point may start an anomaly with probability {@code anomalyRate}: a <em>spike</em> (that one
 * point offset by {@code spikeMagnitude} amplitudes) or a <em>level shift</em> ({@code
 * levelShiftLength} points offset by {@value #LEVEL_SHIFT_AMPLITUDES} amplitudes). An anomaly
 * moves every feature of its points, with one sign per anomaly; a start that falls inside an
 * anomaly already in progress is dropped, so anomalies never overlap.
 *
 * <p>The value of point {@code i} depends only on the seed, the series and {@code i} (each
 * point draws from its own random stream), so history and live data can be generated separately
 * and agree. Instances are immutable and thread-safe.
 */
public final class SyntheticMetrics {

  /** Offset of a level shift, in units of the feature's amplitude. */
  public static final double LEVEL_SHIFT_AMPLITUDES = 3.0;

  private static final long SALT_PARAMS = 0x9E3779B97F4A7C15L;
  private static final long SALT_NOISE = 0xC2B2AE3D27D4EB4FL;
  private static final long SALT_ANOMALY = 0x165667B19E3779F9L;
  private static final double MIN_LEVEL = 20;
  private static final double MAX_LEVEL = 100;
  private static final double MIN_RELATIVE_AMPLITUDE = 0.15;
  private static final double MAX_RELATIVE_AMPLITUDE = 0.35;
  private static final double HARMONIC_RATIO = 0.25;

  private final Builder config;
  private final String[] seriesIds;
  /** [series][feature] seasonal parameters. */
  private final Shape[][] shapes;

  private SyntheticMetrics(Builder b) {
    this.config = b.copy();
    this.seriesIds = new String[b.seriesCount];
    this.shapes = new Shape[b.seriesCount][b.features.length];
    for (int s = 0; s < b.seriesCount; s++) {
      seriesIds[s] = "series-" + s;
      SplittableRandom rnd = random(s, -1, SALT_PARAMS);
      for (int f = 0; f < b.features.length; f++) {
        double level = MIN_LEVEL + (MAX_LEVEL - MIN_LEVEL) * rnd.nextDouble();
        double amplitude = level * (MIN_RELATIVE_AMPLITUDE
            + (MAX_RELATIVE_AMPLITUDE - MIN_RELATIVE_AMPLITUDE) * rnd.nextDouble());
        shapes[s][f] = new Shape(level, amplitude, 2 * Math.PI * rnd.nextDouble(),
            2 * Math.PI * rnd.nextDouble());
      }
    }
  }

  /** A builder with the defaults listed on its methods. */
  public static Builder builder() {
    return new Builder();
  }

  /** The series ids, {@code series-0} to {@code series-(n-1)}. */
  public List<String> seriesIds() {
    return List.of(seriesIds);
  }

  /** The feature names, in order. */
  public List<String> features() {
    return List.of(config.features);
  }

  /** Milliseconds between consecutive points of a series. */
  public long stepMillis() {
    return config.stepMillis;
  }

  /**
   * Points {@code i} in {@code [fromIndex, toIndex)} of every series, interleaved in time order
   * (every series' point {@code i}, then {@code i + 1}, ...), with timestamp {@code startMillis +
   * i * stepMillis}.
   */
  public List<LabeledPoint> points(long startMillis, int fromIndex, int toIndex) {
    if (fromIndex < 0 || toIndex < fromIndex) {
      throw new IllegalArgumentException(
          "need 0 <= fromIndex <= toIndex, got " + fromIndex + ", " + toIndex);
    }
    List<LabeledPoint> out = new ArrayList<>((toIndex - fromIndex) * seriesIds.length);
    for (int i = fromIndex; i < toIndex; i++) {
      for (int s = 0; s < seriesIds.length; s++) {
        out.add(point(s, startMillis, i));
      }
    }
    return out;
  }

  /** Point {@code index} of one series. */
  public LabeledPoint point(String series, long startMillis, int index) {
    return point(seriesIndex(series), startMillis, index);
  }

  /** The seasonal pattern of a point without noise or anomaly, per feature. */
  public Map<String, Double> baseline(String series, int index) {
    int s = seriesIndex(series);
    Map<String, Double> values = new LinkedHashMap<>();
    for (int f = 0; f < config.features.length; f++) {
      values.put(config.features[f], shapes[s][f].at(index, config.period));
    }
    return values;
  }

  /** The amplitude of a feature's seasonal pattern: the unit of anomaly offsets. */
  public double amplitude(String series, String feature) {
    int f = Arrays.asList(config.features).indexOf(feature);
    if (f < 0) {
      throw new IllegalArgumentException("unknown feature " + feature);
    }
    return shapes[seriesIndex(series)][f].amplitude;
  }

  /** The input record for a point, keyed (on Kafka) by its series. */
  public MetricRecord toRecord(LabeledPoint p) {
    return new MetricRecord(p.series(), p.timestamp(), p.values());
  }

  private LabeledPoint point(int s, long startMillis, int i) {
    Anomaly anomaly = anomalyAt(s, i);
    SplittableRandom noise = random(s, i, SALT_NOISE);
    Map<String, Double> values = new LinkedHashMap<>();
    for (int f = 0; f < config.features.length; f++) {
      Shape shape = shapes[s][f];
      double v = shape.at(i, config.period)
          + config.noise * shape.amplitude * noise.nextGaussian();
      if (anomaly != null) {
        v += anomaly.offsetAmplitudes * shape.amplitude;
      }
      values.put(config.features[f], v);
    }
    return new LabeledPoint(seriesIds[s], startMillis + i * config.stepMillis, values,
        anomaly != null, anomaly == null ? null : anomaly.kind);
  }

  /** The anomaly covering point {@code i}, or null. */
  private Anomaly anomalyAt(int s, int i) {
    if (config.anomalyRate == 0) {
      return null;
    }
    int lookback = config.levelShiftLength;
    for (int start = i; start > i - lookback && start >= 0; start--) {
      Anomaly raw = rawStart(s, start);
      // Effective anomalies never overlap, so at most one covers i; dropped starts may also.
      if (raw != null && start + raw.length > i && effective(s, start)) {
        return raw;
      }
    }
    return null;
  }

  /** A raw start is dropped when an earlier raw start's span still covers it. */
  private boolean effective(int s, int start) {
    for (int earlier = start - 1; earlier > start - config.levelShiftLength && earlier >= 0;
        earlier--) {
      Anomaly raw = rawStart(s, earlier);
      if (raw != null && earlier + raw.length > start) {
        return false;
      }
    }
    return true;
  }

  /** Whether point {@code i} draws an anomaly start, ignoring overlaps. */
  private Anomaly rawStart(int s, int i) {
    SplittableRandom rnd = random(s, i, SALT_ANOMALY);
    if (rnd.nextDouble() >= config.anomalyRate) {
      return null;
    }
    double sign = rnd.nextBoolean() ? 1 : -1;
    if (rnd.nextDouble() < config.levelShiftFraction) {
      return new Anomaly(LabeledPoint.LEVEL_SHIFT, config.levelShiftLength,
          sign * LEVEL_SHIFT_AMPLITUDES);
    }
    return new Anomaly(LabeledPoint.SPIKE, 1, sign * config.spikeMagnitude);
  }

  private SplittableRandom random(int series, long index, long salt) {
    long h = mix(config.seed ^ salt);
    h = mix(h + series);
    h = mix(h + index);
    return new SplittableRandom(h);
  }

  /** SplitMix64's finaliser: neighbouring inputs give unrelated seeds. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private int seriesIndex(String series) {
    for (int s = 0; s < seriesIds.length; s++) {
      if (seriesIds[s].equals(series)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown series " + series);
  }

  private record Shape(double level, double amplitude, double phase, double harmonicPhase) {
    double at(int i, int period) {
      double angle = 2 * Math.PI * i / period;
      return level + amplitude * Math.sin(angle + phase)
          + HARMONIC_RATIO * amplitude * Math.sin(2 * angle + harmonicPhase);
    }
  }

  private record Anomaly(String kind, int length, double offsetAmplitudes) {}

  /** Configures a generator; validated by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private long seed = 42;
    private int seriesCount = 1;
    private String[] features = {"value"};
    private long stepMillis = 60_000;
    private int period = 96;
    private double noise = 0.05;
    private double anomalyRate = 0;
    private double spikeMagnitude = 6;
    private int levelShiftLength = 20;
    private double levelShiftFraction = 0.5;

    private Builder() {}

    /** Random seed; default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Number of series, ids {@code series-0}...; default 1. */
    public Builder seriesCount(int seriesCount) {
      this.seriesCount = seriesCount;
      return this;
    }

    /** Feature names of every point; default {@code ["value"]}. */
    public Builder features(String... features) {
      this.features = features.clone();
      return this;
    }

    /** Milliseconds between points; default 60,000. */
    public Builder stepMillis(long stepMillis) {
      this.stepMillis = stepMillis;
      return this;
    }

    /** Seasonal period in points; default 96. */
    public Builder period(int points) {
      this.period = points;
      return this;
    }

    /** Gaussian noise standard deviation relative to the amplitude; default 0.05. */
    public Builder noise(double noise) {
      this.noise = noise;
      return this;
    }

    /** Probability that a point starts an anomaly; default 0. */
    public Builder anomalyRate(double anomalyRate) {
      this.anomalyRate = anomalyRate;
      return this;
    }

    /** Spike offset in units of amplitude; default 6. */
    public Builder spikeMagnitude(double spikeMagnitude) {
      this.spikeMagnitude = spikeMagnitude;
      return this;
    }

    /** Points covered by a level shift; default 20. */
    public Builder levelShiftLength(int levelShiftLength) {
      this.levelShiftLength = levelShiftLength;
      return this;
    }

    /** Share of anomaly starts that are level shifts rather than spikes; default 0.5. */
    public Builder levelShiftFraction(double levelShiftFraction) {
      this.levelShiftFraction = levelShiftFraction;
      return this;
    }

    /** Validates the settings and builds the generator. */
    public SyntheticMetrics build() {
      check(seriesCount >= 1, "seriesCount must be at least 1");
      check(features.length >= 1, "need at least one feature");
      check(new HashSet<>(Arrays.asList(features)).size() == features.length,
          "feature names must be distinct");
      for (String f : features) {
        check(f != null && !f.isBlank(), "feature names must not be blank");
      }
      check(stepMillis > 0, "stepMillis must be positive");
      check(period >= 2, "period must be at least 2 points");
      check(noise >= 0 && Double.isFinite(noise), "noise must be finite and >= 0");
      check(anomalyRate >= 0 && anomalyRate <= 1, "anomalyRate must be in [0, 1]");
      check(spikeMagnitude >= 0 && Double.isFinite(spikeMagnitude),
          "spikeMagnitude must be finite and >= 0");
      check(levelShiftLength >= 1, "levelShiftLength must be at least 1");
      check(levelShiftFraction >= 0 && levelShiftFraction <= 1,
          "levelShiftFraction must be in [0, 1]");
      return new SyntheticMetrics(this);
    }

    private Builder copy() {
      Builder b = new Builder();
      b.seed = seed;
      b.seriesCount = seriesCount;
      b.features = features.clone();
      b.stepMillis = stepMillis;
      b.period = period;
      b.noise = noise;
      b.anomalyRate = anomalyRate;
      b.spikeMagnitude = spikeMagnitude;
      b.levelShiftLength = levelShiftLength;
      b.levelShiftFraction = levelShiftFraction;
      return b;
    }

    private static void check(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
