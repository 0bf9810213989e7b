package dev.streamvae.vae;

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
 */
public record VaeConfig(int windowLength, int featureCount, List<Integer> hiddenSizes,
    int latentDim, double learningRate, int epochs, int batchSize, double beta, int mcSamples,
    long seed, double thresholdQuantile) {

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
  }

  /** A builder holding the defaults: W=32, F=1, hidden [64, 32], k=4, lr 1e-3, 30 epochs,
   * batch 128, beta 1, L=8, seed 42, threshold quantile 0.995. */
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
    private List<Integer> hiddenSizes = List.of(64, 32);
    private int latentDim = 4;
    private double learningRate = 1e-3;
    private int epochs = 30;
    private int batchSize = 128;
    private double beta = 1.0;
    private int mcSamples = 8;
    private long seed = 42;
    private double thresholdQuantile = 0.995;

    private Builder() {}

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
     * The validated configuration.
     *
     * @throws IllegalArgumentException naming the first invalid value
     */
    public VaeConfig build() {
      return new VaeConfig(windowLength, featureCount, hiddenSizes, latentDim, learningRate,
          epochs, batchSize, beta, mcSamples, seed, thresholdQuantile);
    }
  }
}
