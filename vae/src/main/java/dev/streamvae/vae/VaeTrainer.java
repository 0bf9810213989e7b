package dev.streamvae.vae;

import dev.streamvae.schemas.ScoreBaseline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits a VAE to a {@link TrainingSet}: fits the {@link Normaliser}, trains the SameDiff graph
 * with Adam on shuffled mini-batches, then calibrates the anomaly threshold as a quantile of the
 * training windows' own anomaly scores.
 *
 * <p>Everything random comes from {@link VaeConfig#seed()} through {@link java.util.Random}
 * instances owned by this run (weight initialisation, shuffling, training noise, the scoring
 * noise matrix), never from ND4J's global generator, so two runs with the same data and config
 * produce the same model on the same machine, even with other ND4J work in the process.
 */
public final class VaeTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(VaeTrainer.class);
  /** Decorrelates the scoring noise stream from the training stream of the same seed. */
  private static final long SCORING_NOISE_SALT = 0x9E3779B97F4A7C15L;
  /** Windows on which the per-epoch loss is measured. */
  static final int PROBE_WINDOWS = 4096;
  private static final double LOG_2PI = Math.log(2 * Math.PI);

  private VaeTrainer() {}

  /**
   * Trains a model.
   *
   * @param data training windows; their window length and feature count must match the config
   * @param config hyper-parameters
   * @param listener called after every epoch; may be null
   * @throws IllegalArgumentException when data and config disagree
   */
  public static TrainedModel train(TrainingSet data, VaeConfig config, EpochListener listener) {
    return train(data, config, listener, null);
  }

  /**
   * Trains a model starting from another model's weights instead of a fresh initialisation: a
   * fine-tuning that follows a drifting series in a fraction of a full training's steps. The
   * normalisation is fitted on {@code data} as usual (the weights adapt to it within a few
   * steps) and the optimiser's state starts afresh.
   *
   * @param warmStart the model whose weights training starts from, or null for a fresh start;
   *     it must have the architecture {@code config} describes (layers, latent size, window,
   *     features, conditioning)
   * @throws IllegalArgumentException when data and config disagree, or the warm-start model's
   *     architecture differs from the config's
   */
  public static TrainedModel train(TrainingSet data, VaeConfig config, EpochListener listener,
      AnomalyModel warmStart) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(config, "config");
    if (data.windowLength() != config.windowLength()
        || data.features().size() != config.featureCount()) {
      throw new IllegalArgumentException("training data has windowLength "
          + data.windowLength() + " and " + data.features().size()
          + " features, config expects " + config.windowLength() + " and "
          + config.featureCount());
    }
    EpochListener onEpoch = listener == null ? s -> { } : listener;
    long started = System.nanoTime();
    float[][] raw = data.windowsUnsafe();
    int count = raw.length;
    int n = config.windowSize();
    if ((long) count * n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(count + " windows of " + n
          + " values exceed one in-memory training matrix; use a larger stride");
    }

    // The validation windows are the chronologically last ones: windows overlap, so a random
    // choice would hold back near-copies of training windows and flatter the validation loss.
    int validationCount = config.validationFraction() == 0 ? 0
        : Math.max(1, (int) Math.round(count * config.validationFraction()));
    if (validationCount >= count) {
      throw new IllegalArgumentException(count + " windows are too few to hold back "
          + validationCount + " for validation");
    }
    int trainCount = count - validationCount;
    boolean bernoulli = config.reconstruction() == VaeConfig.Reconstruction.BERNOULLI;
    if (bernoulli) {
      checkUnitInterval(raw);
    }
    // Bernoulli reads the values as they are: an identity normaliser.
    Normaliser normaliser = bernoulli ? identity(config.featureCount())
        : Normaliser.fit(validationCount == 0 ? raw : Arrays.copyOf(raw, trainCount),
            config.featureCount(), config.centreWindows());
    float[] flat = new float[count * n];
    float[] observed = new float[count * n];
    for (int i = 0; i < count; i++) {
      normaliser.normalise(raw[i], flat, i * n);
    }
    // Missing values (only in windows kept under maxMissing) are imputed with the training
    // mean, 0 after normalising, and masked out of the reconstruction term.
    for (int j = 0; j < flat.length; j++) {
      boolean present = !Float.isNaN(flat[j]);
      observed[j] = present ? 1f : 0f;
      flat[j] = present ? flat[j] : 0f;
    }
    // A conditional model's condition per window, from the timestamp of its last record: the
    // record a scorer scores with that window.
    int c = config.conditioning().size();
    float[] conditions = c == 0 ? null
        : config.conditioning().encodeAll(data.windowEndsUnsafe(), config.conditionZone());
    INDArray everyCondition = c == 0 ? null
        : Nd4j.create(conditions, new long[] {count, c}, 'c');
    INDArray allCondition = everyCondition == null || validationCount == 0 ? everyCondition
        : rows(everyCondition, 0, trainCount);
    INDArray validationCondition = everyCondition == null || validationCount == 0 ? null
        : rows(everyCondition, trainCount, count);
    INDArray everything = Nd4j.create(flat, new long[] {count, n}, 'c');
    INDArray everyMask = Nd4j.create(observed, new long[] {count, n}, 'c');
    INDArray all = validationCount == 0 ? everything : rows(everything, 0, trainCount);
    INDArray validation = validationCount == 0 ? null : rows(everything, trainCount, count);
    INDArray allMask = validationCount == 0 ? everyMask : rows(everyMask, 0, trainCount);
    INDArray validationMask = validationCount == 0 ? null : rows(everyMask, trainCount, count);

    Random random = new Random(config.seed());
    Nd4j.getRandom().setSeed(config.seed());
    Architecture arch = Architecture.of(config);
    VaeGraph graph = VaeGraph.build(arch, config.betaAt(1), config.freeBits(), bernoulli,
        random);
    if (warmStart != null) {
      graph.setParams(warmStartParams(warmStart, arch));
    }
    SameDiff sd = graph.sameDiff();
    sd.setTrainingConfig(new TrainingConfig.Builder()
        .updater(new Adam(config.learningRate()))
        .dataSetFeatureMapping(c == 0
            ? new String[] {VaeGraph.INPUT, VaeGraph.NOISE, VaeGraph.MASK}
            : new String[] {VaeGraph.INPUT, VaeGraph.NOISE, VaeGraph.MASK, VaeGraph.CONDITION})
        .markLabelsUnused()
        .build());
    createGradientsQuietly(sd);
    count = trainCount;
    int epochs = config.epochsFor(count);
    LOG.info("training VAE on {} windows of {}x{} (hidden {}, k={}, {} epochs, batch {})",
        count, config.windowLength(), config.featureCount(), config.hiddenSizes(),
        config.latentDim(), epochs, config.batchSize());

    // The loss is measured after each epoch on a fixed subset with fixed noise, through the
    // inference path: comparable across epochs, and a check that the scorer computes what the
    // graph was trained on. (SameDiff's training listeners report zeros for named loss
    // variables in this release, and reading activations would slow every step.)
    INDArray validationNoise = validationCount == 0 ? null
        : Nd4j.create(standardNormal(new Random(config.seed() + 2),
            validationCount * config.latentDim()), new long[] {validationCount,
                config.latentDim()}, 'c');
    int[] probeRows = probeRows(count);
    INDArray probe = all.getRows(probeRows);
    INDArray probeMask = allMask.getRows(probeRows);
    INDArray probeCondition = allCondition == null ? null : allCondition.getRows(probeRows);
    INDArray probeNoise = Nd4j.create(standardNormal(new Random(config.seed() + 1),
        probeRows.length * config.latentDim()), new long[] {probeRows.length,
            config.latentDim()}, 'c');
    List<EpochStats> history = new ArrayList<>();
    int[] order = new int[count];
    Arrays.setAll(order, i -> i);
    double bestValidation = Double.POSITIVE_INFINITY;
    Map<String, INDArray> bestParams = null;
    int bestEpoch = 0;
    for (int epoch = 1; epoch <= epochs; epoch++) {
      long epochStart = System.nanoTime();
      double betaNow = config.betaAt(epoch);
      graph.setBeta(betaNow);
      shuffle(order, random);
      sd.fit(new EpochIterator(flat, observed, n, conditions, c, order, config.batchSize(),
          config.latentDim(), random), 1);
      long nanos = Math.max(1, System.nanoTime() - epochStart);
      VaeNetwork current = new VaeNetwork(arch, graph.params());
      double[] terms = lossTerms(current, probe, probeNoise, probeMask, bernoulli,
          probeCondition);
      double reconstruction = terms[0];
      double kl = terms[1];
      double validationLoss = Double.NaN;
      if (validation != null) {
        double[] v = lossTerms(current, validation, validationNoise, validationMask,
            bernoulli, validationCondition);
        validationLoss = v[0] + config.beta() * v[1];
      }
      EpochStats stats = new EpochStats(epoch, epochs,
          reconstruction + betaNow * kl, reconstruction, kl,
          Math.round(count * 1e9 / nanos), nanos / 1_000_000, betaNow, validationLoss);
      history.add(stats);
      LOG.debug("epoch {}/{}: loss {} (reconstruction {}, kl {}), {} windows/s", epoch,
          epochs, stats.loss(), stats.reconstruction(), stats.kl(),
          stats.windowsPerSecond());
      onEpoch.onEpoch(stats);
      if (!Double.isFinite(stats.loss())) {
        throw new IllegalStateException("training diverged at epoch " + epoch + ": loss "
            + stats.loss() + "; lower the learning rate");
      }
      if (config.patience() > 0) {
        if (validationLoss < bestValidation) {
          bestValidation = validationLoss;
          bestParams = current.params();
          bestEpoch = epoch;
        } else if (epoch - bestEpoch >= config.patience()) {
          LOG.info("early stop after epoch {}: no better validation loss than epoch {}'s {} for"
              + " {} epochs", epoch, bestEpoch, bestValidation, config.patience());
          break;
        }
      }
    }
    Map<String, INDArray> finalParams = bestParams != null ? bestParams : graph.params();

    float[] eps = standardNormal(new Random(config.seed() ^ SCORING_NOISE_SALT),
        config.mcSamples() * config.latentDim());
    AnomalyModel unthresholded = new AnomalyModel(data.features(), config.windowLength(),
        Double.NaN, normaliser, new VaeNetwork(arch, finalParams), eps, config.maxMissing(),
        config.reconstruction(), config.conditioning(), config.conditionZone(),
        config.scoreTarget());
    ScoreBatch own = unthresholded.score(raw, data.windowEndsUnsafe());
    double threshold;
    String thresholdMethod;
    if (config.thresholdMethod() == VaeConfig.ThresholdMethod.POT) {
      PeaksOverThreshold.Result pot = PeaksOverThreshold.fit(scoredValues(own),
          config.thresholdQuantile(), config.thresholdRisk());
      threshold = pot.threshold();
      thresholdMethod = pot.description();
    } else {
      threshold = quantile(own, config.thresholdQuantile());
      thresholdMethod = "quantile(" + TrainedModel.formatQuantile(config.thresholdQuantile())
          + ")";
    }
    AnomalyModel model = unthresholded.withThreshold(threshold);
    long durationMillis = (System.nanoTime() - started) / 1_000_000;
    EpochStats last = history.get(history.size() - 1);
    LOG.info("trained in {} ms: final loss {}, threshold {} = {} of training scores",
        durationMillis, last.loss(), threshold, thresholdMethod);
    double[] trainingScores = scoredValues(own);
    double scale = ScoreSurprise.scale(trainingScores, threshold);
    ScoreSurprise baseline = ScoreSurprise.baseline(trainingScores, threshold, scale);
    return new TrainedModel(model, history, data, config, durationMillis, thresholdMethod,
        new ScoreBaseline(scale, baseline.count(), baseline.mean(), baseline.variance()));
  }

  /**
   * Whether {@link #train(TrainingSet, VaeConfig, EpochListener, AnomalyModel)} can start from
   * this model's weights with this config: the same layers and shapes.
   */
  public static boolean canWarmStart(AnomalyModel model, VaeConfig config) {
    return sameLayers(model.network().architecture(), Architecture.of(config));
  }

  private static boolean sameLayers(Architecture from, Architecture arch) {
    Map<String, long[]> expected = arch.parameterShapes();
    Map<String, long[]> actual = from.parameterShapes();
    return expected.keySet().equals(actual.keySet())
        && from.conditionSize() == arch.conditionSize()
        && from.convolutional() == arch.convolutional()
        && expected.entrySet().stream()
            .allMatch(e -> Arrays.equals(e.getValue(), actual.get(e.getKey())));
  }

  private static Map<String, INDArray> warmStartParams(AnomalyModel warmStart,
      Architecture arch) {
    Architecture from = warmStart.network().architecture();
    if (!sameLayers(from, arch)) {
      throw new IllegalArgumentException("the warm-start model's layers "
          + describe(from.parameterShapes()) + " differ from the configured "
          + describe(arch.parameterShapes()));
    }
    return warmStart.network().params();
  }

  private static String describe(Map<String, long[]> shapes) {
    StringBuilder b = new StringBuilder("{");
    shapes.forEach((name, shape) -> b.append(b.length() > 1 ? ", " : "").append(name)
        .append(Arrays.toString(shape)));
    return b.append('}').toString();
  }

  private static Normaliser identity(int features) {
    float[] ones = new float[features];
    Arrays.fill(ones, 1f);
    return new Normaliser(new float[features], ones);
  }

  private static void checkUnitInterval(float[][] windows) {
    for (float[] w : windows) {
      for (float v : w) {
        if (!Float.isNaN(v) && (v < 0 || v > 1)) {
          throw new IllegalArgumentException("Bernoulli reconstruction needs values in [0, 1];"
              + " the training data has " + v);
        }
      }
    }
  }

  private static double[] scoredValues(ScoreBatch scores) {
    double[] values = new double[scores.size()];
    int m = 0;
    for (int i = 0; i < scores.size(); i++) {
      if (scores.isScored(i)) {
        values[m++] = scores.anomalyScore(i);
      }
    }
    if (m == 0) {
      throw new IllegalStateException("no training window could be scored");
    }
    return Arrays.copyOf(values, m);
  }

  /** Linear-interpolated quantile of the anomaly scores (type 7, as numpy's default). */
  static double quantile(ScoreBatch scores, double q) {
    return quantile(scoredValues(scores), q);
  }

  /**
   * The {@code q} quantile of the finite {@code scores}, linearly interpolated between order
   * statistics: how a {@link VaeConfig.ThresholdMethod#QUANTILE} threshold is set from the
   * training windows' anomaly scores. NaN when none is finite.
   */
  public static double quantile(double[] scores, double q) {
    double[] sorted = Arrays.stream(scores).filter(Double::isFinite).sorted().toArray();
    int m = sorted.length;
    if (m == 0) {
      return Double.NaN;
    }
    double pos = q * (m - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(m - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /** Evenly spaced windows, at most {@value #PROBE_WINDOWS}, for the per-epoch loss. */
  private static int[] probeRows(int count) {
    int size = Math.min(count, PROBE_WINDOWS);
    int[] rows = new int[size];
    for (int i = 0; i < size; i++) {
      rows[i] = (int) ((long) i * count / size);
    }
    return rows;
  }

  /**
   * Mean reconstruction NLL (one sample per window, with the given noise) and mean KL per
   * window: the two terms of the training loss, computed the way the scorer computes them.
   */
  static double[] lossTerms(VaeNetwork network, INDArray x, INDArray noise) {
    return lossTerms(network, x, noise, null);
  }

  /** As {@link #lossTerms(VaeNetwork, INDArray, INDArray)}, counting only unmasked values. */
  static double[] lossTerms(VaeNetwork network, INDArray x, INDArray noise, INDArray mask) {
    return lossTerms(network, x, noise, mask, false);
  }

  /** As above; {@code bernoulli}: the Bernoulli NLL with the decoder's mean head as logit. */
  static double[] lossTerms(VaeNetwork network, INDArray x, INDArray noise, INDArray mask,
      boolean bernoulli) {
    return lossTerms(network, x, noise, mask, bernoulli, null);
  }

  /** As above, with the windows' conditions for a conditional network. */
  static double[] lossTerms(VaeNetwork network, INDArray x, INDArray noise, INDArray mask,
      boolean bernoulli, INDArray condition) {
    long rows = x.size(0);
    INDArray[] enc = network.encode(x, condition);
    INDArray mu = enc[0];
    INDArray logVar = enc[1];
    INDArray z = Transforms.exp(logVar.mul(0.5), false).muli(noise).addi(mu);
    INDArray[] dec = network.decode(z, condition);
    if (bernoulli) {
      INDArray nll = Transforms.softPlus(dec[0], true).subi(x.mul(dec[0]));
      if (mask != null) {
        nll.muli(mask);
      }
      double klSumB = logVar.add(1.0).subi(mu.mul(mu)).subi(Transforms.exp(logVar, true))
          .sumNumber().doubleValue();
      return new double[] {nll.sumNumber().doubleValue() / rows, -0.5 * klSumB / rows};
    }
    INDArray diff = x.sub(dec[0]);
    INDArray perValue = diff.muli(diff).muli(Transforms.exp(dec[1].neg(), false)).addi(dec[1]);
    double observed = rows * x.size(1);
    if (mask != null) {
      perValue.muli(mask);
      observed = mask.sumNumber().doubleValue();
    }
    double squared = perValue.sumNumber().doubleValue();
    double reconstruction = 0.5 * (squared + observed * LOG_2PI) / rows;
    double klSum = logVar.add(1.0).subi(mu.mul(mu)).subi(Transforms.exp(logVar, true))
        .sumNumber().doubleValue();
    return new double[] {reconstruction, -0.5 * klSum / rows};
  }

  private static void shuffle(int[] order, Random random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  static float[] standardNormal(Random random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  /**
   * One epoch of mini-batches in a fixed order, each with fresh reparameterisation noise from the
   * run's seeded generator. Synchronous by design: prefetching on another thread would make the
   * noise order depend on timing.
   */
  private static final class EpochIterator implements MultiDataSetIterator {
    private static final long serialVersionUID = 1L;

    private final float[] values;
    private final float[] mask;
    private final int width;
    private final float[] condition;
    private final int conditionWidth;
    private final int[] order;
    private final int batchSize;
    private final int latentDim;
    private final transient Random random;
    private int position;

    /**
     * Batches are gathered from row-major heap copies of the windows, masks and conditions:
     * ND4J's {@code getRows} builds a view and a TAD per row, which profiled at about 70% of a
     * training step for these small networks (issue #3 session 4).
     *
     * @param values windows, {@code width} floats per row; rows named in {@code order} only
     * @param condition per-window conditions, {@code conditionWidth} floats each, or null
     */
    EpochIterator(float[] values, float[] mask, int width, float[] condition,
        int conditionWidth, int[] order, int batchSize, int latentDim, Random random) {
      this.values = values;
      this.mask = mask;
      this.width = width;
      this.condition = condition;
      this.conditionWidth = conditionWidth;
      this.order = order;
      this.batchSize = batchSize;
      this.latentDim = latentDim;
      this.random = random;
    }

    @Override
    public boolean hasNext() {
      return position < order.length;
    }

    @Override
    public MultiDataSet next() {
      return next(batchSize);
    }

    @Override
    public MultiDataSet next(int num) {
      int end = Math.min(order.length, position + num);
      int[] rows = Arrays.copyOfRange(order, position, end);
      position = end;
      INDArray x = gather(values, width, rows);
      INDArray eps = Nd4j.create(standardNormal(random, rows.length * latentDim),
          new long[] {rows.length, latentDim}, 'c');
      INDArray[] features = condition == null
          ? new INDArray[] {x, eps, gather(mask, width, rows)}
          : new INDArray[] {x, eps, gather(mask, width, rows),
              gather(condition, conditionWidth, rows)};
      return new org.nd4j.linalg.dataset.MultiDataSet(features, new INDArray[0]);
    }

    private static INDArray gather(float[] source, int width, int[] rows) {
      float[] batch = new float[rows.length * width];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(source, rows[i] * width, batch, i * width, width);
      }
      return Nd4j.create(batch, new long[] {rows.length, width}, 'c');
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
      throw new UnsupportedOperationException("no pre-processing: windows are normalised");
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
      return null;
    }

    @Override
    public boolean resetSupported() {
      return false;
    }

    @Override
    public boolean asyncSupported() {
      return false;
    }

    @Override
    public void reset() {
      throw new UnsupportedOperationException("one pass per epoch");
    }
  }

  private static final Object STDOUT_LOCK = new Object();

  /**
   * Builds the gradient graph before the first fit. SameDiff 1.0.0-M2.1 prints one line per
   * differentiated op with {@code System.out.println} while doing so, which would interleave
   * with a command's own output; stdout is silenced for that moment only.
   */
  private static void createGradientsQuietly(SameDiff sd) {
    synchronized (STDOUT_LOCK) {
      java.io.PrintStream stdout = System.out;
      System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      try {
        sd.createGradFunction();
      } finally {
        System.setOut(stdout);
      }
    }
  }

  /** Rows {@code [from, to)} of a matrix, as a C-ordered copy. */
  private static INDArray rows(INDArray matrix, int from, int to) {
    return matrix.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c');
  }
}
