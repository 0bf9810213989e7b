package dev.streamvae.vae;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Immutable, validated hyper-parameters of one VAE training run. Built with {@link #builder()};
 * every value is checked at construction, so an instance is always usable.
 *
 * @param windowLength records per window W
 * @param featureCount metrics per record F; a window has {@code W * F} values
 * @param hiddenSizes widths of the encoder's hidden layers; the decoder mirrors them
 * @param latentDim size k of the latent space
 * @param learningRate Adam step size
 * @param epochs passes over the training windows
 * @param batchSize windows per gradient step
 * @param beta weight of the KL term (beta-VAE); must be positive
 * @param mcSamples Monte Carlo samples L per window when scoring
 * @param seed seeds weight initialisation, shuffling, training noise and the scoring noise
 * @param thresholdQuantile quantile of the training windows' anomaly scores used as threshold
 * @param centreWindows subtract each window's own per-feature mean before normalising, so the
 *     model learns shapes, not levels (a level shift is an anomaly while it is in the window,
 *     then the new normal); on by default for Gaussian models since 2026-12-03 (one centred
 *     model scored 57.25 on half of NAB against 52.24 for raw windows, docs/quality.md), off
 *     for Bernoulli ones
 * @param klAnnealEpochs KL annealing: the KL weight ramps linearly from {@code beta / N} in
 *     epoch 1 to {@code beta} in epoch N and stays there; 0 = no annealing
 * @param freeBits free bits: each latent dimension's KL, averaged over the batch, counts at
 *     least this many nats in the training loss, so the optimiser gains nothing by collapsing a
 *     dimension below it (Kingma et al. 2016); 0 = off
 * @param validationFraction share of the training windows held back (a seeded random choice)
 *     to measure the loss on after every epoch; 0 = none
 * @param patience early stopping: stop after this many epochs without a better validation loss
 *     and keep the best epoch's weights; 0 = train every epoch (needs a validation split)
 * @param thresholdMethod how the threshold is calibrated on the training windows' scores
 * @param thresholdRisk for {@link ThresholdMethod#POT}: the probability q of a normal window
 *     scoring above the threshold, extrapolated from the tail above {@code thresholdQuantile}
 * @param maxMissing values of a window that may be missing (NaN) and the window still be trained
 *     on and scored: missing values are imputed with the training mean and left out of the
 *     reconstruction likelihood (Donut's modified ELBO, Xu et al. 2018, without its prior
 *     re-weighting), so the score covers the observed values only; 0 = a window with any
 *     missing value is skipped in training and unscorable
 * @param reconstruction the decoder's distribution: Gaussian (any real data, standardised) or
 *     Bernoulli (data in [0, 1], used as is; not with {@code centreWindows})
 * @param architecture the encoder/decoder layers: dense or 1-D convolutional
 * @param conditioning the condition vector fed to encoder and decoder besides the window (a
 *     conditional VAE, as Bagel, Li et al. 2018), derived from the timestamp of each window's
 *     last record; {@link Conditioning#NONE} for a plain VAE
 * @param conditionZone the time zone in which time of day and day of week are read; UTC unless
 *     the series follow a local clock
 * @param scoreTarget the values a window's reconstruction log-probability covers: only its last
 *     record's, the record being scored (the default; Donut, Xu et al. 2018, scores the last
 *     point of each window), or all of the window's; the threshold is calibrated on the same
 * @param minSteps the fewest gradient steps a training takes: with a short history, epochs
 *     are added until {@code epochs * ceil(trainingWindows / batchSize)} reaches it (at most
 *     {@value #MAX_EPOCHS} epochs); 0 = exactly {@code epochs}
 */
public record VaeConfig(int windowLength, int featureCount, List<Integer> hiddenSizes,
    int latentDim, double learningRate, int epochs, int batchSize, double beta, int mcSamples,
    long seed, double thresholdQuantile, boolean centreWindows, int klAnnealEpochs,
    double freeBits, double validationFraction, int patience, ThresholdMethod thresholdMethod,
    double thresholdRisk, int maxMissing, Reconstruction reconstruction,
    ArchitectureKind architecture, Conditioning conditioning, ZoneId conditionZone,
    ScoreTarget scoreTarget, int minSteps) {

  /** Most epochs {@link #minSteps()} may add up to. */
  public static final int MAX_EPOCHS = 2000;

  /** The layers of encoder and decoder. */
  public enum ArchitectureKind {
    /** tanh dense layers of {@code hiddenSizes} widths, decoder mirrored. */
    DENSE,
    /**
     * 1-D convolutions over time: the encoder runs one stride-2 convolution per
     * {@code hiddenSizes} entry (that many channels, kernel {@value #CONV_KERNEL}) and dense
     * heads for mu and log-variance; the decoder maps z through a dense layer to a full-length
     * map of the last width's channels and stride-1 convolutions back to the metrics.
     */
    CONV1D;

    /** Kernel width of every convolution. */
    public static final int CONV_KERNEL = 5;
    /** Stride of the encoder's convolutions (the decoder's are 1). */
    public static final int CONV_STRIDE = 2;

    /**
     * Reads {@code dense} or {@code conv1d}, in any case.
     *
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static ArchitectureKind parse(String value) {
      for (ArchitectureKind k : values()) {
        if (k.name().equalsIgnoreCase(value)) {
          return k;
        }
      }
      throw new IllegalArgumentException("'" + value
          + "' is not an architecture; expected dense or conv1d");
    }
  }

  /**
   * The condition vector a conditional VAE reads besides the window: a function of the timestamp
   * of the window's last record (the record being scored), in the same way in training and
   * scoring.
   */
  public enum Conditioning {
    /** No condition: a plain VAE. */
    NONE("none", 0),
    /**
     * Time of day and day of week as two phases on the unit circle: {@code [sin 2 pi d, cos 2 pi
     * d, sin 2 pi w, cos 2 pi w]} with {@code d} the fraction of the local day and {@code w} the
     * fraction of the local week (Monday 00:00 = 0). Sin/cos pairs rather than one-hot hours and
     * days: continuous (23:59 sits next to 00:00, Sunday next to Monday), four bounded inputs
     * on the scale of the standardised window instead of 31 sparse ones, and any smooth daily
     * or weekly profile is a function the first tanh layer can form from them.
     */
    TIME_OF_WEEK("time-of-week", 4);

    private static final double DAY_MILLIS = 86_400_000.0;
    /** 1970-01-01 was a Thursday: day 0 of the epoch is day 3 of a Monday-based week. */
    private static final int EPOCH_WEEKDAY = 3;

    private final String label;
    private final int size;

    Conditioning(String label, int size) {
      this.label = label;
      this.size = size;
    }

    /** Values in the condition vector. */
    public int size() {
      return size;
    }

    /** The manifest's name for it, e.g. {@code time-of-week}. */
    public String label() {
      return label;
    }

    /**
     * Reads {@code none} or {@code time-of-week} in any case, or the constant's name
     * ({@code TIME_OF_WEEK}).
     *
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static Conditioning parse(String value) {
      for (Conditioning c : values()) {
        if (c.label().equalsIgnoreCase(value) || c.name().equalsIgnoreCase(value)) {
          return c;
        }
      }
      throw new IllegalArgumentException("'" + value
          + "' is not a condition; expected none or time-of-week");
    }

    /**
     * Writes the condition of a window whose last record has this timestamp.
     *
     * @param epochMillis the timestamp, epoch milliseconds
     * @param zone the zone whose clock gives time of day and day of week
     * @param out receives {@link #size()} values from {@code offset}
     */
    public void encode(long epochMillis, ZoneId zone, float[] out, int offset) {
      if (this == NONE) {
        return;
      }
      long local = epochMillis
          + zone.getRules().getOffset(Instant.ofEpochMilli(epochMillis)).getTotalSeconds() * 1000L;
      long day = Math.floorDiv(local, (long) DAY_MILLIS);
      double dayFraction = Math.floorMod(local, (long) DAY_MILLIS) / DAY_MILLIS;
      double weekFraction = (Math.floorMod(day + EPOCH_WEEKDAY, 7) + dayFraction) / 7.0;
      out[offset] = (float) Math.sin(2 * Math.PI * dayFraction);
      out[offset + 1] = (float) Math.cos(2 * Math.PI * dayFraction);
      out[offset + 2] = (float) Math.sin(2 * Math.PI * weekFraction);
      out[offset + 3] = (float) Math.cos(2 * Math.PI * weekFraction);
    }

    /** Conditions of many windows, row-major {@code [timestamps.length, size()]}. */
    public float[] encodeAll(long[] epochMillis, ZoneId zone) {
      float[] out = new float[epochMillis.length * size];
      for (int i = 0; i < epochMillis.length; i++) {
        encode(epochMillis[i], zone, out, i * size);
      }
      return out;
    }

    /** The constant with this manifest label. */
    public static Conditioning ofLabel(String label) {
      for (Conditioning c : values()) {
        if (c.label.equals(label)) {
          return c;
        }
      }
      throw new IllegalArgumentException("unknown conditioning '" + label + "'");
    }
  }

  /** The decoder's output distribution p(x|z). */
  public enum Reconstruction {
    /** Per-value Gaussian with learned mean and variance, on standardised values. */
    GAUSSIAN,
    /**
     * Per-value Bernoulli with the decoder's output as logit, on the raw values, which must lie
     * in [0, 1] (ratios, utilisations, normalised metrics); at scoring, values outside are
     * clamped to it.
     */
    BERNOULLI
  }

  /**
   * Which values of a window its anomaly score is the reconstruction log-probability of. The
   * encoder always reads the whole window; only the likelihood's sum differs.
   */
  public enum ScoreTarget {
    /** All {@code W * F} values: evidence from the whole window, so a short anomaly stays in the
     * score for W records and the noise of W records adds to it. */
    WINDOW("window"),
    /**
     * The F values of the window's last record, the record being scored: the window is its
     * context, and a spike or drop at that record is not averaged with W - 1 ordinary values.
     */
    LAST_RECORD("last-record");

    private final String label;

    ScoreTarget(String label) {
      this.label = label;
    }

    /** The manifest's and command line's name for it, e.g. {@code last-record}. */
    public String label() {
      return label;
    }

    /**
     * Reads {@code window} or {@code last-record} in any case, or the constant's name.
     *
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static ScoreTarget parse(String value) {
      for (ScoreTarget t : values()) {
        if (t.label.equalsIgnoreCase(value) || t.name().equalsIgnoreCase(value)) {
          return t;
        }
      }
      throw new IllegalArgumentException("'" + value
          + "' is not a score target; expected window or last-record");
    }
  }

  /** How the anomaly threshold is set from the training windows' anomaly scores. */
  public enum ThresholdMethod {
    /** The {@code thresholdQuantile} quantile of the training scores. */
    QUANTILE,
    /**
     * Peaks over threshold (extreme value theory, as SPOT, Siffer et al. 2017): a generalised
     * Pareto distribution fitted to the excesses over the {@code thresholdQuantile} quantile,
     * and the threshold is where its tail probability reaches {@code thresholdRisk}. Reaches
     * beyond the largest training score, which a quantile cannot.
     */
    POT
  }

  /** Upper bound on {@code W * F}, far above any sensible window, to catch unit mistakes. */
  static final int MAX_WINDOW_VALUES = 1 << 20;
  /** Upper bound on L: more samples only cost time once the estimate has converged. */
  static final int MAX_MC_SAMPLES = 4096;

  /** Validates every field and freezes {@code hiddenSizes}. */
  public VaeConfig {
    check(windowLength >= 1, "windowLength must be >= 1, was " + windowLength);
    check(featureCount >= 1, "featureCount must be >= 1, was " + featureCount);
    check((long) windowLength * featureCount <= MAX_WINDOW_VALUES,
        "windowLength * featureCount must be <= " + MAX_WINDOW_VALUES);
    check(hiddenSizes != null && !hiddenSizes.isEmpty(), "hiddenSizes must not be empty");
    for (Integer h : hiddenSizes) {
      check(h != null && h >= 1, "hiddenSizes must all be >= 1, were " + hiddenSizes);
    }
    hiddenSizes = List.copyOf(hiddenSizes);
    check(latentDim >= 1, "latentDim must be >= 1, was " + latentDim);
    check(learningRate > 0 && Double.isFinite(learningRate),
        "learningRate must be positive and finite, was " + learningRate);
    check(epochs >= 1, "epochs must be >= 1, was " + epochs);
    check(batchSize >= 1, "batchSize must be >= 1, was " + batchSize);
    // beta = 0 would be a plain autoencoder whose latent means carry no calibrated meaning.
    check(beta > 0 && Double.isFinite(beta), "beta must be positive and finite, was " + beta);
    check(mcSamples >= 1 && mcSamples <= MAX_MC_SAMPLES,
        "mcSamples must be in [1, " + MAX_MC_SAMPLES + "], was " + mcSamples);
    check(thresholdQuantile > 0 && thresholdQuantile <= 1,
        "thresholdQuantile must be in (0, 1], was " + thresholdQuantile);
    check(klAnnealEpochs >= 0, "klAnnealEpochs must be >= 0, was " + klAnnealEpochs);
    check(freeBits >= 0 && Double.isFinite(freeBits),
        "freeBits must be >= 0 and finite, was " + freeBits);
    check(validationFraction >= 0 && validationFraction < 1,
        "validationFraction must be in [0, 1), was " + validationFraction);
    check(patience >= 0, "patience must be >= 0, was " + patience);
    check(minSteps >= 0, "minSteps must be >= 0, was " + minSteps);
    check(patience == 0 || validationFraction > 0,
        "patience (early stopping) needs a validationFraction > 0");
    check(thresholdMethod != null, "thresholdMethod must be set");
    check(thresholdRisk > 0 && thresholdRisk < 1,
        "thresholdRisk must be in (0, 1), was " + thresholdRisk);
    check(thresholdMethod != ThresholdMethod.POT || thresholdRisk < 1 - thresholdQuantile,
        "thresholdRisk must be below 1 - thresholdQuantile for POT, was " + thresholdRisk);
    check(reconstruction != null, "reconstruction must be set");
    check(reconstruction != Reconstruction.BERNOULLI || !centreWindows,
        "reconstruction BERNOULLI needs values in [0, 1]; centreWindows would make them negative");
    check(maxMissing >= 0 && maxMissing < (long) windowLength * featureCount,
        "maxMissing must be in [0, windowLength * featureCount), was " + maxMissing);
    check(architecture != null, "architecture must be set");
    check(conditioning != null, "conditioning must be set");
    check(conditionZone != null, "conditionZone must be set");
    check(scoreTarget != null, "scoreTarget must be set");
  }

  /** Whether the model reads a condition vector besides the window. */
  public boolean conditional() {
    return conditioning != Conditioning.NONE;
  }

  /**
   * The KL weight of an epoch (1-based): {@code beta}, or under annealing
   * {@code beta * min(1, epoch / klAnnealEpochs)}.
   */
  public double betaAt(int epoch) {
    return klAnnealEpochs == 0 ? beta : beta * Math.min(1.0, (double) epoch / klAnnealEpochs);
  }

  /**
   * The epochs a training on {@code trainingWindows} windows runs: {@link #epochs()}, or more
   * when {@link #minSteps()} asks for more gradient steps than that gives.
   */
  public int epochsFor(int trainingWindows) {
    if (minSteps == 0) {
      return epochs;
    }
    int stepsPerEpoch = Math.max(1, (trainingWindows + batchSize - 1) / batchSize);
    int needed = (minSteps + stepsPerEpoch - 1) / stepsPerEpoch;
    return Math.max(epochs, Math.min(needed, MAX_EPOCHS));
  }

  /** A builder holding the defaults: W=32, F=1, hidden [32, 16], k=4, lr 3e-3, 30 epochs,
   * batch 128, beta 1, L=1, seed 42, threshold quantile 0.995,
   * centred windows (Gaussian), last-record score target. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration, for variations of it. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.windowLength = windowLength;
    b.featureCount = featureCount;
    b.hiddenSizes = new ArrayList<>(hiddenSizes);
    b.latentDim = latentDim;
    b.learningRate = learningRate;
    b.epochs = epochs;
    b.batchSize = batchSize;
    b.beta = beta;
    b.mcSamples = mcSamples;
    b.seed = seed;
    b.thresholdQuantile = thresholdQuantile;
    b.centreWindows = centreWindows;
    b.klAnnealEpochs = klAnnealEpochs;
    b.freeBits = freeBits;
    b.validationFraction = validationFraction;
    b.patience = patience;
    b.thresholdMethod = thresholdMethod;
    b.thresholdRisk = thresholdRisk;
    b.maxMissing = maxMissing;
    b.reconstruction = reconstruction;
    b.architecture = architecture;
    b.conditioning = conditioning;
    b.conditionZone = conditionZone;
    b.scoreTarget = scoreTarget;
    b.minSteps = minSteps;
    return b;
  }

  /** Values per window, {@code W * F}. */
  public int windowSize() {
    return windowLength * featureCount;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Mutable builder of {@link VaeConfig}; validation happens in {@link #build()}. */
  public static final class Builder {
    private int windowLength = 32;
    private int featureCount = 1;
    // [32, 16] at 3e-3 since issue #3 session 8: the network the NAB measurements chose (the
    // evaluation's), where [64, 32] at 1e-3 scored 4.5 points lower (docs/nab-variant-log.md P15).
    private List<Integer> hiddenSizes = List.of(32, 16);
    private int latentDim = 4;
    private double learningRate = 3e-3;
    private int epochs = 30;
    private int batchSize = 128;
    private double beta = 1.0;
    private int mcSamples = 1;
    private long seed = 42;
    private double thresholdQuantile = 0.995;
    /** Null until set: then centred for Gaussian models, raw for Bernoulli ones. */
    private Boolean centreWindows;
    private int klAnnealEpochs;
    private double freeBits;
    private double validationFraction;
    private int patience;
    private ThresholdMethod thresholdMethod = ThresholdMethod.QUANTILE;
    private double thresholdRisk = 1e-3;
    private int maxMissing;
    private Reconstruction reconstruction = Reconstruction.GAUSSIAN;
    private ArchitectureKind architecture = ArchitectureKind.DENSE;
    private Conditioning conditioning = Conditioning.NONE;
    private ZoneId conditionZone = ZoneId.of("UTC");
    // The default since session 6: better on NAB in the evaluation's and the trainer's
    // configurations (docs/nab-variant-log.md) and 2.5x cheaper to score at L = 8.
    private ScoreTarget scoreTarget = ScoreTarget.LAST_RECORD;
    private int minSteps;

    private Builder() {}

    /** The fewest gradient steps a training takes, adding epochs on short histories; 0 = off. */
    public Builder minSteps(int value) {
      this.minSteps = value;
      return this;
    }

    /** The values the anomaly score covers; {@link ScoreTarget#LAST_RECORD} by default. */
    public Builder scoreTarget(ScoreTarget value) {
      this.scoreTarget = value;
      return this;
    }

    /** Dense (default) or 1-D convolutional encoder and decoder. */
    public Builder architecture(ArchitectureKind value) {
      this.architecture = value;
      return this;
    }

    /** The condition vector (conditional VAE); {@link Conditioning#NONE} by default. */
    public Builder conditioning(Conditioning value) {
      this.conditioning = value;
      return this;
    }

    /** The zone whose clock the condition reads; UTC by default. */
    public Builder conditionZone(ZoneId value) {
      this.conditionZone = value;
      return this;
    }

    /** Records per window. */
    public Builder windowLength(int value) {
      this.windowLength = value;
      return this;
    }

    /** Metrics per record. */
    public Builder featureCount(int value) {
      this.featureCount = value;
      return this;
    }

    /** Encoder hidden layer widths, input side first. */
    public Builder hiddenSizes(int... values) {
      List<Integer> list = new ArrayList<>(values.length);
      for (int v : values) {
        list.add(v);
      }
      this.hiddenSizes = list;
      return this;
    }

    /** Latent dimension k. */
    public Builder latentDim(int value) {
      this.latentDim = value;
      return this;
    }

    /** Adam learning rate. */
    public Builder learningRate(double value) {
      this.learningRate = value;
      return this;
    }

    /** Training epochs. */
    public Builder epochs(int value) {
      this.epochs = value;
      return this;
    }

    /** Windows per gradient step. */
    public Builder batchSize(int value) {
      this.batchSize = value;
      return this;
    }

    /** KL weight. */
    public Builder beta(double value) {
      this.beta = value;
      return this;
    }

    /** Monte Carlo samples L for scoring. */
    public Builder mcSamples(int value) {
      this.mcSamples = value;
      return this;
    }

    /** Seed of all randomness in training and scoring. */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /** Quantile of training anomaly scores used as the threshold. */
    public Builder thresholdQuantile(double value) {
      this.thresholdQuantile = value;
      return this;
    }

    /**
     * Centre each window on its own per-feature mean before normalising. Unless set: on for
     * Gaussian models, off for Bernoulli ones (their values must stay in [0, 1]).
     */
    public Builder centreWindows(boolean value) {
      this.centreWindows = value;
      return this;
    }

    /** Epochs over which the KL weight ramps up to beta; 0 = none. */
    public Builder klAnnealEpochs(int value) {
      this.klAnnealEpochs = value;
      return this;
    }

    /** Per-dimension KL floor in nats; 0 = off. */
    public Builder freeBits(double value) {
      this.freeBits = value;
      return this;
    }

    /** Share of windows held back for validation; 0 = none. */
    public Builder validationFraction(double value) {
      this.validationFraction = value;
      return this;
    }

    /** Epochs without validation improvement before stopping; 0 = never stop early. */
    public Builder patience(int value) {
      this.patience = value;
      return this;
    }

    /** How the threshold is calibrated. */
    public Builder thresholdMethod(ThresholdMethod value) {
      this.thresholdMethod = value;
      return this;
    }

    /** Tail probability targeted by {@link ThresholdMethod#POT}. */
    public Builder thresholdRisk(double value) {
      this.thresholdRisk = value;
      return this;
    }

    /** The decoder's distribution. */
    public Builder reconstruction(Reconstruction value) {
      this.reconstruction = value;
      return this;
    }

    /** Missing values a window may have and still be trained on and scored; 0 = none. */
    public Builder maxMissing(int value) {
      this.maxMissing = value;
      return this;
    }

    /**
     * A threshold that flags about this share of windows like the training ones: the
     * {@code 1 - rate} quantile of the training scores.
     */
    public Builder targetAlertRate(double rate) {
      if (!(rate > 0 && rate < 1)) {
        throw new IllegalArgumentException("target alert rate must be in (0, 1), was " + rate);
      }
      this.thresholdMethod = ThresholdMethod.QUANTILE;
      this.thresholdQuantile = 1 - rate;
      return this;
    }

    /**
     * The validated configuration.
     *
     * @throws IllegalArgumentException naming the first invalid value
     */
    public VaeConfig build() {
      return new VaeConfig(windowLength, featureCount, hiddenSizes, latentDim, learningRate,
          epochs, batchSize, beta, mcSamples, seed, thresholdQuantile,
          centreWindows != null ? centreWindows : reconstruction != Reconstruction.BERNOULLI,
          klAnnealEpochs, freeBits, validationFraction, patience, thresholdMethod,
          thresholdRisk, maxMissing, reconstruction, architecture, conditioning, conditionZone,
          scoreTarget, minSteps);
    }
  }
}
