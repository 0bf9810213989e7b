package dev.streamvae.vae;

import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A trained VAE that scores raw windows: immutable and safe to call from several threads at
 * once. Normalises internally, so callers pass raw time-major windows of length
 * {@code windowLength * featureCount}, the layout of {@link TrainingSet}.
 *
 * <h2>Determinism</h2>
 * The Monte Carlo estimate uses a fixed {@code [L, latentDim]} matrix of standard-normal draws,
 * generated from the seed at training time and carried in the payload: every window, alone or
 * in any batch, in any process, uses the same L noise vectors, so a window's score depends only on
 * the window (up to float rounding in the matrix kernels, well below 1e-5 nats in the tests).
 *
 * <h2>Inference path</h2>
 * Dense unconditional Gaussian models score windows without missing values in plain Java ({@link
 * DenseGaussianKernel}: vectorised loops, no ND4J call, 5-7x cheaper than ND4J's pass at batch
 * 256); {@code -Dstreamvae.scoring.kernel=nd4j} selects ND4J's pass for them too. Otherwise:
 * plain ND4J operations on weight arrays that are never written after construction (see
 * {@link FusedForward}): no SameDiff session, no locks, no per-thread copies. The batch is encoded
 * once, the latent rows of all L samples are stacked to {@code [L * B, k]} and decoded in one
 * pass, and the per-sample log-probabilities are averaged per window. Dense unconditional
 * Gaussian models without missing values take the fused pass; conditional ({@link
 * #score(float[][], long[])}: each window's condition comes from the timestamp of its last
 * record) and convolutional models take {@link VaeNetwork}'s layer-by-layer pass, which is the
 * same maths. Intermediates live in a per-thread ND4J workspace. Batches larger than
 * {@value #MAX_CHUNK} windows are split to bound memory.
 *
 * <p>Cost: a single window costs about a millisecond, almost all of it per-operation overhead, so
 * callers should score in micro-batches; at batch 256 it is some microseconds per window plus a
 * few per extra Monte Carlo sample. Figures, as multiples of the GEMM ceiling of the same shapes,
 * are in docs/benchmarks.md ({@code benchmarks/run}). 4 threads scoring one instance
 * concurrently get bit-identical results ({@code AnomalyModelTest}).
 */
public final class AnomalyModel {

  /**
   * Name of the system property that selects the scoring pass of Gaussian models: {@code java}
   * (the default, {@link DenseGaussianKernel}) or {@code nd4j} ({@link FusedForward}, the
   * previous pass, kept as a fallback and as the benchmarks' comparison). Read when a model is
   * built.
   */
  public static final String KERNEL_PROPERTY = "streamvae.scoring.kernel";

  /** Windows per forward pass; bounds the {@code [L * B, W * F]} intermediates. */
  static final int MAX_CHUNK = 1024;
  private static final double LOG_2PI = Math.log(2 * Math.PI);
  private static final String SCORING_WORKSPACE_ID = "streamvae-scoring";
  /** Grows to the largest chunk seen (reallocating when a bigger one comes), then stays. */
  private static final WorkspaceConfiguration SCORING_WORKSPACE = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .overallocationLimit(0.25)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policySpill(SpillPolicy.REALLOCATE)
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .build();

  private final List<String> features;
  private final int windowLength;
  private final int latentDim;
  private final int mcSamples;
  private final double threshold;
  private final Normaliser normaliser;
  private final VaeNetwork network;
  private final FusedForward forward;
  /** The pure-Java pass for Gaussian models; null where ND4J's path serves every window. */
  private final DenseGaussianKernel kernel;
  private final float[] eps;
  private final int maxMissing;
  private final VaeConfig.Reconstruction reconstruction;
  private final VaeConfig.Conditioning conditioning;
  private final java.time.ZoneId conditionZone;
  private final VaeConfig.ScoreTarget scoreTarget;
  /** Index of the first value of a window that the log-probability covers. */
  private final int scoredFrom;

  /**
   * @param eps {@code mcSamples * latentDim} standard-normal draws, row-major {@code [L, k]}
   */
  AnomalyModel(List<String> features, int windowLength, double threshold,
      Normaliser normaliser, VaeNetwork network, float[] eps) {
    this(features, windowLength, threshold, normaliser, network, eps, 0);
  }

  /**
   * @param maxMissing missing (non-finite) values a window may have and still be scored, on its
   *     observed values only ({@link VaeConfig#maxMissing()})
   */
  AnomalyModel(List<String> features, int windowLength, double threshold,
      Normaliser normaliser, VaeNetwork network, float[] eps, int maxMissing) {
    this(features, windowLength, threshold, normaliser, network, eps, maxMissing,
        VaeConfig.Reconstruction.GAUSSIAN);
  }

  /** @param reconstruction the decoder's distribution ({@link VaeConfig#reconstruction()}) */
  AnomalyModel(List<String> features, int windowLength, double threshold,
      Normaliser normaliser, VaeNetwork network, float[] eps, int maxMissing,
      VaeConfig.Reconstruction reconstruction) {
    this(features, windowLength, threshold, normaliser, network, eps, maxMissing,
        reconstruction, VaeConfig.Conditioning.NONE, java.time.ZoneId.of("UTC"));
  }

  /**
   * @param conditioning the condition the network reads besides the window; its size must be
   *     the network's {@code conditionSize}
   * @param conditionZone the zone whose clock the condition reads
   */
  AnomalyModel(List<String> features, int windowLength, double threshold,
      Normaliser normaliser, VaeNetwork network, float[] eps, int maxMissing,
      VaeConfig.Reconstruction reconstruction, VaeConfig.Conditioning conditioning,
      java.time.ZoneId conditionZone) {
    this(features, windowLength, threshold, normaliser, network, eps, maxMissing,
        reconstruction, conditioning, conditionZone, VaeConfig.ScoreTarget.WINDOW);
  }

  /**
   * @param scoreTarget the values the log-probability covers ({@link VaeConfig#scoreTarget()})
   */
  AnomalyModel(List<String> features, int windowLength, double threshold,
      Normaliser normaliser, VaeNetwork network, float[] eps, int maxMissing,
      VaeConfig.Reconstruction reconstruction, VaeConfig.Conditioning conditioning,
      java.time.ZoneId conditionZone, VaeConfig.ScoreTarget scoreTarget) {
    this.scoreTarget = Objects.requireNonNull(scoreTarget, "scoreTarget");
    this.reconstruction = Objects.requireNonNull(reconstruction, "reconstruction");
    this.conditioning = Objects.requireNonNull(conditioning, "conditioning");
    this.conditionZone = Objects.requireNonNull(conditionZone, "conditionZone");
    if (network.architecture().conditionSize() != conditioning.size()) {
      throw new IllegalArgumentException("network reads a condition of "
          + network.architecture().conditionSize() + " values, conditioning " + conditioning
          + " has " + conditioning.size());
    }
    if (maxMissing < 0 || maxMissing >= windowLength * features.size()) {
      throw new IllegalArgumentException("maxMissing " + maxMissing + " outside [0, "
          + windowLength * features.size() + ")");
    }
    this.maxMissing = maxMissing;
    this.features = List.copyOf(features);
    this.windowLength = windowLength;
    this.threshold = threshold;
    this.normaliser = Objects.requireNonNull(normaliser);
    this.network = Objects.requireNonNull(network);
    // Conditional and convolutional networks take the generic layer-by-layer path; the fused
    // pass covers dense unconditional ones.
    this.forward = conditioning != VaeConfig.Conditioning.NONE
        || network.architecture().convolutional() ? null : network.fusedForward();
    Architecture arch = network.architecture();
    this.latentDim = arch.latentDim();
    if (normaliser.featureCount() != this.features.size()) {
      throw new IllegalArgumentException("normaliser has " + normaliser.featureCount()
          + " features, model " + this.features.size());
    }
    if (arch.inputSize() != windowLength * this.features.size()) {
      throw new IllegalArgumentException("network input " + arch.inputSize()
          + " != windowLength * featureCount = " + windowLength * this.features.size());
    }
    if (eps.length == 0 || eps.length % latentDim != 0) {
      throw new IllegalArgumentException("noise matrix of " + eps.length
          + " values is not [L, " + latentDim + "]");
    }
    this.eps = eps.clone();
    this.mcSamples = eps.length / latentDim;
    // The Java kernel computes the dense unconditional network, the one the fused pass covers.
    this.scoredFrom = scoreTarget == VaeConfig.ScoreTarget.LAST_RECORD
        ? (windowLength - 1) * this.features.size() : 0;
    this.kernel = forward != null && reconstruction == VaeConfig.Reconstruction.GAUSSIAN
        && javaKernelEnabled()
        ? new DenseGaussianKernel(arch, network.params(), this.eps, scoredFrom) : null;
  }

  private static boolean javaKernelEnabled() {
    String kernel = System.getProperty(KERNEL_PROPERTY, "java");
    return switch (kernel) {
      case "java" -> true;
      case "nd4j" -> false;
      default -> throw new IllegalArgumentException(KERNEL_PROPERTY + " is '" + kernel
          + "', expected java or nd4j");
    };
  }

  /** Whether Gaussian windows without missing values take {@link DenseGaussianKernel}. */
  boolean usesJavaKernel() {
    return kernel != null;
  }

  /** This model with another threshold; weights and noise are shared (they are immutable). */
  AnomalyModel withThreshold(double newThreshold) {
    return new AnomalyModel(features, windowLength, newThreshold, normaliser, network, eps,
        maxMissing, reconstruction, conditioning, conditionZone, scoreTarget);
  }

  /** The values a window's log-probability covers ({@link VaeConfig#scoreTarget()}). */
  public VaeConfig.ScoreTarget scoreTarget() {
    return scoreTarget;
  }

  /** The condition the model reads besides each window ({@link VaeConfig#conditioning()}). */
  public VaeConfig.Conditioning conditioning() {
    return conditioning;
  }

  /** The zone whose clock gives a conditional model's time of day and day of week. */
  public java.time.ZoneId conditionZone() {
    return conditionZone;
  }

  /** Whether {@link #score(float[][], long[])} needs each window's timestamp. */
  public boolean conditional() {
    return conditioning != VaeConfig.Conditioning.NONE;
  }

  /** The encoder/decoder layout. */
  public VaeConfig.ArchitectureKind architecture() {
    return network.architecture().kind();
  }

  /**
   * The manifest's name of the conditioning: {@code none}, or the condition's label and its
   * zone, e.g. {@code time-of-week@UTC}.
   */
  public String conditioningLabel() {
    return conditional() ? conditioning.label() + "@" + conditionZone.getId()
        : conditioning.label();
  }

  /** The decoder's distribution. */
  public VaeConfig.Reconstruction reconstruction() {
    return reconstruction;
  }

  /** Missing values a window may have and still be scored (on its observed values). */
  public int maxMissing() {
    return maxMissing;
  }

  /** Metric names, in the column order of a window. */
  public List<String> features() {
    return features;
  }

  /** Records per window W. */
  public int windowLength() {
    return windowLength;
  }

  /** Metrics per record F. */
  public int featureCount() {
    return features.size();
  }

  /** Size of {@link ScoreBatch#latentMean(int)}. */
  public int latentDim() {
    return latentDim;
  }

  /** Monte Carlo samples L per window. */
  public int mcSamples() {
    return mcSamples;
  }

  /** Threshold on the anomaly score ({@code -logProbability}) above which a window is anomalous. */
  public double threshold() {
    return threshold;
  }

  Normaliser normaliser() {
    return normaliser;
  }

  VaeNetwork network() {
    return network;
  }

  float[] eps() {
    return eps.clone();
  }

  /**
   * Scores raw windows with an unconditional model.
   *
   * @param rawWindows rows of length {@code windowLength * featureCount}, time-major raw values
   * @return one score per row, in order; empty for empty input. Rows with a non-finite value get
   *     NaN scores (see {@link ScoreBatch})
   * @throws IllegalArgumentException when a row is null or has the wrong length, or the model is
   *     {@link #conditional()} (it needs {@link #score(float[][], long[])})
   */
  public ScoreBatch score(float[][] rawWindows) {
    return score(rawWindows, null);
  }

  /**
   * Scores raw windows, each with the timestamp of its last record (the record being scored),
   * from which a conditional model derives its condition; an unconditional model ignores them.
   *
   * @param rawWindows as for {@link #score(float[][])}
   * @param timestamps epoch milliseconds, one per window; may be null for an unconditional model
   * @throws IllegalArgumentException as for {@link #score(float[][])}, or when a conditional
   *     model gets no timestamps or a different number of them than windows
   */
  public ScoreBatch score(float[][] rawWindows, long[] timestamps) {
    requireWindowShape(rawWindows);
    requireTimestamps(rawWindows, timestamps);
    int count = rawWindows.length;
    if (count == 0) {
      return ScoreBatch.empty(latentDim, threshold);
    }
    double[] logProbability = new double[count];
    float[] latentMeans = new float[count * latentDim];
    for (int start = 0; start < count; start += MAX_CHUNK) {
      int to = Math.min(count, start + MAX_CHUNK);
      Prepared in = prepare(rawWindows, start, to - start);
      // Windows with missing values (a mask) are the exception: their chunk takes ND4J's path.
      if (kernel != null && in.observed() == null) {
        scoreChunkInJava(in, start, to, logProbability, latentMeans);
      } else {
        scoreChunkInNd4j(in, timestamps, start, to, logProbability, latentMeans);
      }
    }
    return new ScoreBatch(logProbability, latentMeans, latentDim, threshold);
  }

  /** Scores one chunk without missing values with {@link DenseGaussianKernel}. */
  private void scoreChunkInJava(Prepared in, int from, int to, double[] logProbability,
      float[] latentMeans) {
    int b = to - from;
    int n = windowLength * features.size();
    int k = latentDim;
    float[] mu = new float[b * k];
    double[] termSums = new double[b];
    kernel.score(in.x(), b, mu, termSums);
    double constant = (n - scoredFrom) * LOG_2PI;
    for (int i = 0; i < b; i++) {
      int out = from + i;
      if (in.unscorable()[i]) {
        logProbability[out] = Double.NaN;
        java.util.Arrays.fill(latentMeans, out * k, (out + 1) * k, Float.NaN);
      } else {
        logProbability[out] = -0.5 * (termSums[i] / mcSamples + constant);
        System.arraycopy(mu, i * k, latentMeans, out * k, k);
      }
    }
  }

  /** ND4J's path ({@link FusedForward} and {@link VaeNetwork}) for one chunk. */
  private void scoreChunkInNd4j(Prepared in, long[] timestamps, int from, int to,
      double[] logProbability, float[] latentMeans) {
    // The intermediates live in this thread's workspace: ND4J hands out its memory again on
    // the next call instead of allocating and freeing off-heap buffers per op, which cost more
    // than the arithmetic at these sizes. Workspaces are per thread, so threads do not share.
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager()
        .getAndActivateWorkspace(SCORING_WORKSPACE, SCORING_WORKSPACE_ID)) {
      scoreChunk(targeted(in), timestamps, from, to, logProbability, latentMeans);
    }
  }

  private void scoreChunk(Prepared in, long[] timestamps, int from, int to,
      double[] logProbability, float[] latentMeans) {
    int b = to - from;
    int n = windowLength * features.size();
    int k = latentDim;
    int l = mcSamples;
    float[] x = in.x();
    float[] observed = in.observed();
    boolean[] unscorable = in.unscorable();
    clampForBernoulli(x);
    float[] mu = new float[b * k];
    float[] sigma = new float[b * k];
    float[] condition = conditions(timestamps, from, b);
    if (forward != null) {
      forward.encode(Nd4j.create(x, new long[] {b, n}, 'c'), mu, sigma);
    } else {
      encodeGeneric(x, condition, b, mu, sigma);
    }

    // Row s*B + i holds sample s of window i, so one decoder pass serves all L.
    float[] z = new float[l * b * k];
    for (int s = 0; s < l; s++) {
      for (int i = 0; i < b; i++) {
        int row = s * b + i;
        for (int j = 0; j < k; j++) {
          z[row * k + j] = mu[i * k + j] + sigma[i * k + j] * eps[s * k + j];
        }
      }
    }
    INDArray latent = Nd4j.create(z, new long[] {(long) l * b, k}, 'c');
    double[] rowSums;
    if (forward != null && reconstruction == VaeConfig.Reconstruction.GAUSSIAN
        && observed == null) {
      // The common case takes the fused pass (FusedForward): no decoder outputs materialised.
      float[] sums = forward.reconstructionTerms(latent, x, b);
      rowSums = new double[sums.length];
      for (int r = 0; r < sums.length; r++) {
        rowSums[r] = sums[r];
      }
    } else {
      INDArray[] dec = network.decode(latent, tiledCondition(condition, l, b));
      INDArray terms = perValueTerms(Nd4j.create(tile(x, l), new long[] {(long) l * b, n}, 'c'),
          dec[0], dec[1]);
      if (observed != null) {
        terms.muli(Nd4j.create(tile(observed, l), new long[] {(long) l * b, n}, 'c'));
      }
      rowSums = terms.sum(1).castTo(DataType.DOUBLE).toDoubleVector();
    }

    for (int i = 0; i < b; i++) {
      double constant = reconstruction == VaeConfig.Reconstruction.BERNOULLI ? 0
          : observed == null ? n * LOG_2PI : observedCount(observed, i, n) * LOG_2PI;
      double acc = 0;
      for (int s = 0; s < l; s++) {
        acc += -0.5 * (rowSums[s * b + i] + constant);
      }
      int out = from + i;
      if (unscorable[i]) {
        logProbability[out] = Double.NaN;
        java.util.Arrays.fill(latentMeans, out * k, (out + 1) * k, Float.NaN);
      } else {
        logProbability[out] = acc / l;
        System.arraycopy(mu, i * k, latentMeans, out * k, k);
      }
    }
  }

  /**
   * Twice the per-value negative log-likelihood without its constant, so that a window's
   * log-probability is {@code -0.5 * (sum + constant)}: Gaussian {@code (x - m)^2 exp(-v) + v};
   * Bernoulli {@code 2 (softplus(l) - x l)} with the mean head as logit {@code l}. Consumes
   * {@code x}.
   */
  private INDArray perValueTerms(INDArray x, INDArray mean, INDArray decLogVar) {
    if (reconstruction == VaeConfig.Reconstruction.BERNOULLI) {
      return Transforms.softPlus(mean, true).subi(x.muli(mean)).muli(2);
    }
    INDArray diff = x.subi(mean);
    return diff.muli(diff).muli(Transforms.exp(decLogVar.neg(), false)).addi(decLogVar);
  }

  /** Bernoulli reads values in [0, 1]: larger or smaller ones count as 1 or 0. */
  private void clampForBernoulli(float[] x) {
    if (reconstruction == VaeConfig.Reconstruction.BERNOULLI) {
      for (int j = 0; j < x.length; j++) {
        x[j] = Math.max(0f, Math.min(1f, x[j]));
      }
    }
  }

  private static float[] ones(int size) {
    float[] a = new float[size];
    java.util.Arrays.fill(a, 1f);
    return a;
  }

  /** Normalises a row with missing values: each imputed with the training mean (0), masked. */
  private void imputeAndMask(float[] row, float[] x, float[] observed, int offset) {
    float[] clean = row.clone();
    for (int j = 0; j < clean.length; j++) {
      clean[j] = Float.isFinite(clean[j]) ? clean[j] : Float.NaN;
    }
    normaliser.normalise(clean, x, offset);
    for (int j = 0; j < clean.length; j++) {
      if (Float.isNaN(x[offset + j])) {
        x[offset + j] = 0f;
        observed[offset + j] = 0f;
      }
    }
  }

  private static float[] tile(float[] rows, int times) {
    float[] out = new float[rows.length * times];
    for (int s = 0; s < times; s++) {
      System.arraycopy(rows, 0, out, s * rows.length, rows.length);
    }
    return out;
  }

  private static int observedCount(float[] observed, int row, int n) {
    int c = 0;
    for (int j = row * n; j < (row + 1) * n; j++) {
      c += observed[j] > 0 ? 1 : 0;
    }
    return c;
  }

  /**
   * Each feature's share of each window's anomaly score: the part of {@code -log p(x|z)} (the
   * same L samples, the same per-value Gaussian terms as {@link #score}) that comes from that
   * feature's values across the window, so the shares of a window sum to its anomaly score up
   * to float rounding. Tells which metric of a multivariate window made it anomalous. Costs one
   * more forward pass, so callers ask for it only for the windows they flag.
   *
   * @param rawWindows as for {@link #score}
   * @return {@code [window][feature]} in nats; a row of NaN for a window with a non-finite value
   */
  public double[][] contributions(float[][] rawWindows) {
    return contributions(rawWindows, null);
  }

  /**
   * As {@link #contributions(float[][])}, with each window's last-record timestamp for a
   * conditional model (see {@link #score(float[][], long[])}).
   */
  public double[][] contributions(float[][] rawWindows, long[] timestamps) {
    requireWindowShape(rawWindows);
    requireTimestamps(rawWindows, timestamps);
    int features = this.features.size();
    int n = windowLength * features;
    double[][] out = new double[rawWindows.length][];
    for (int from = 0; from < rawWindows.length; from += MAX_CHUNK) {
      int b = Math.min(rawWindows.length, from + MAX_CHUNK) - from;
      Prepared in = prepare(rawWindows, from, b);
      Prepared target = targeted(in);
      float[] x = in.x();
      float[] observed = in.observed();
      for (int i = 0; i < b; i++) {
        if (target.unscorable()[i]) {
          out[from + i] = new double[features];
          java.util.Arrays.fill(out[from + i], Double.NaN);
        }
      }
      if (kernel != null && observed == null) {
        // The Gaussian pass without missing values: the Java kernel, split by feature.
        float[] mu = new float[b * latentDim];
        double[] termSums = new double[b];
        double[] featureSums = new double[b * features];
        kernel.score(x, b, mu, termSums, features, featureSums);
        for (int i = 0; i < b; i++) {
          if (out[from + i] != null) {
            continue;
          }
          double[] share = new double[features];
          for (int f = 0; f < features; f++) {
            share[f] = 0.5 * (featureSums[i * features + f] / mcSamples
                + (n - scoredFrom) / features * LOG_2PI);
          }
          out[from + i] = share;
        }
        continue;
      }
      clampForBernoulli(x);
      observed = target.observed();
      float[] condition = conditions(timestamps, from, b);
      INDArray[] enc = network.encode(Nd4j.create(x, new long[] {b, n}, 'c'),
          condition == null ? null
              : Nd4j.create(condition, new long[] {b, conditioning.size()}, 'c'));
      float[] mu = flat(enc[0]);
      float[] logVar = flat(enc[1]);
      int k = latentDim;
      float[] z = new float[mcSamples * b * k];
      float[] xTiled = new float[mcSamples * b * n];
      for (int s = 0; s < mcSamples; s++) {
        for (int i = 0; i < b; i++) {
          int row = s * b + i;
          for (int j = 0; j < k; j++) {
            z[row * k + j] = mu[i * k + j]
                + (float) Math.exp(0.5 * logVar[i * k + j]) * eps[s * k + j];
          }
          System.arraycopy(x, i * n, xTiled, row * n, n);
        }
      }
      INDArray[] dec = network.decode(Nd4j.create(z, new long[] {(long) mcSamples * b, k},
          'c'), tiledCondition(condition, mcSamples, b));
      INDArray perValue = perValueTerms(Nd4j.create(xTiled,
          new long[] {(long) mcSamples * b, n}, 'c'), dec[0], dec[1]);
      if (observed != null) {
        perValue.muli(Nd4j.create(tile(observed, mcSamples),
            new long[] {(long) mcSamples * b, n}, 'c'));
      }
      float[] terms = flat(perValue);
      for (int i = 0; i < b; i++) {
        if (out[from + i] != null) {
          continue;
        }
        double[] share = new double[features];
        for (int s = 0; s < mcSamples; s++) {
          int base = (s * b + i) * n;
          for (int v = 0; v < n; v++) {
            share[v % features] += terms[base + v];
          }
        }
        int[] present = new int[features];
        for (int v = 0; v < n; v++) {
          present[v % features] += observed == null || observed[i * n + v] > 0 ? 1 : 0;
        }
        for (int f = 0; f < features; f++) {
          double constant = reconstruction == VaeConfig.Reconstruction.BERNOULLI ? 0
              : present[f] * LOG_2PI;
          share[f] = 0.5 * (share[f] / mcSamples + constant);
        }
        out[from + i] = share;
      }
    }
    return out;
  }

  private void requireTimestamps(float[][] rawWindows, long[] timestamps) {
    if (timestamps == null) {
      if (conditional()) {
        throw new IllegalArgumentException("model is conditioned on " + conditioningLabel()
            + ": score each window with the timestamp of its last record");
      }
      return;
    }
    if (timestamps.length != rawWindows.length) {
      throw new IllegalArgumentException(timestamps.length + " timestamps for "
          + rawWindows.length + " windows");
    }
  }

  /** Conditions of windows {@code from .. from + b}, row-major; null when unconditional. */
  private float[] conditions(long[] timestamps, int from, int b) {
    if (!conditional()) {
      return null;
    }
    int c = conditioning.size();
    float[] out = new float[b * c];
    for (int i = 0; i < b; i++) {
      conditioning.encode(timestamps[from + i], conditionZone, out, i * c);
    }
    return out;
  }

  /** The conditions repeated for the L sample blocks (row {@code s * B + i}); null if none. */
  private INDArray tiledCondition(float[] condition, int samples, int b) {
    return condition == null ? null : Nd4j.create(tile(condition, samples),
        new long[] {(long) samples * b, conditioning.size()}, 'c');
  }

  /** The generic encoder (conditional or convolutional networks): mu and sigma, row-major. */
  private void encodeGeneric(float[] x, float[] condition, int b, float[] mu, float[] sigma) {
    int n = windowLength * features.size();
    INDArray[] enc = network.encode(Nd4j.create(x, new long[] {b, n}, 'c'),
        condition == null ? null
            : Nd4j.create(condition, new long[] {b, conditioning.size()}, 'c'));
    System.arraycopy(flat(enc[0]), 0, mu, 0, mu.length);
    float[] logVar = flat(enc[1]);
    for (int j = 0; j < sigma.length; j++) {
      sigma[j] = (float) Math.exp(0.5 * logVar[j]);
    }
  }

  private void requireWindowShape(float[][] rawWindows) {
    Objects.requireNonNull(rawWindows, "rawWindows");
    int n = windowLength * features.size();
    for (int i = 0; i < rawWindows.length; i++) {
      if (rawWindows[i] == null || rawWindows[i].length != n) {
        throw new IllegalArgumentException("window " + i + " has "
            + (rawWindows[i] == null ? "no values" : rawWindows[i].length + " values")
            + ", expected windowLength * featureCount = " + n);
      }
    }
  }

  /**
   * Network input for windows {@code from .. from + b} of {@code raw}.
   *
   * @param x normalised windows, row-major {@code [b, n]}
   * @param observed 1 where a value was observed, 0 where it was imputed; null when no window
   *     has a missing value (the common case allocates no mask)
   * @param unscorable windows with more missing values than {@code maxMissing}: left at zero
   *     (the training mean) in {@code x}, their results replaced by NaN; matrix rows do not mix,
   *     so they cannot disturb their neighbours
   */
  private record Prepared(float[] x, float[] observed, boolean[] unscorable) {}

  private Prepared prepare(float[][] raw, int from, int b) {
    int n = windowLength * features.size();
    float[] x = new float[b * n];
    boolean[] unscorable = new boolean[b];
    float[] observed = null;
    for (int i = 0; i < b; i++) {
      float[] row = raw[from + i];
      int missing = 0;
      for (float v : row) {
        missing += Float.isFinite(v) ? 0 : 1;
      }
      if (missing == 0) {
        normaliser.normalise(row, x, i * n);
      } else if (missing <= maxMissing) {
        observed = observed == null ? ones(b * n) : observed;
        imputeAndMask(row, x, observed, i * n);
      } else {
        unscorable[i] = true;
      }
    }
    return new Prepared(x, observed, unscorable);
  }

  /**
   * The chunk with the values outside the score target masked out of the likelihood, as missing
   * ones are (the encoder still reads them); a window none of whose targeted values was observed
   * is unscorable. The chunk itself when the target is the whole window.
   */
  private Prepared targeted(Prepared in) {
    if (scoredFrom == 0) {
      return in;
    }
    int n = windowLength * features.size();
    int b = in.unscorable().length;
    float[] observed = in.observed() == null ? ones(b * n) : in.observed().clone();
    boolean[] unscorable = in.unscorable().clone();
    for (int i = 0; i < b; i++) {
      java.util.Arrays.fill(observed, i * n, i * n + scoredFrom, 0f);
      boolean any = false;
      for (int j = i * n + scoredFrom; j < (i + 1) * n; j++) {
        any |= observed[j] > 0;
      }
      unscorable[i] |= !any;
    }
    return new Prepared(in.x(), observed, unscorable);
  }

  private static float[] flat(INDArray a) {
    return a.dup('c').data().asFloat();
  }
}
