package dev.streamvae.evaluation;

import dev.streamvae.evaluation.detect.Detector;
import dev.streamvae.evaluation.detect.MaxOfDetectors;
import dev.streamvae.evaluation.detect.NullDetector;
import dev.streamvae.evaluation.detect.RcfDetector;
import dev.streamvae.evaluation.detect.RisingEdge;
import dev.streamvae.evaluation.detect.VaeDetector;
import dev.streamvae.vae.VaeConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The detectors' options, shared by {@code evaluate nab} and {@code evaluate csv}. */
public final class DetectorOptions {

  /** The detectors this tool can run. */
  public static final List<String> KNOWN = List.of(VaeDetector.NAME, RcfDetector.NAME,
      NullDetector.NAME);

  @Option(names = "--detectors", split = ",", paramLabel = "NAME",
      defaultValue = "vae,rcf,null",
      description = "Detectors to run: vae, rcf, null (default: ${DEFAULT-VALUE}).")
  List<String> detectors = new ArrayList<>();

  /**
   * Which VAE pipeline the defaults of the options below describe. {@code service} is what the
   * scorer runs (since issue #3 session 8, docs/quality.md): one model of the trainer's window
   * on centred windows with L = 1, and the scorer's own alert rule as the score. {@code
   * research} is the evaluation's best multi-model pipeline (variant V12): a centred and a raw
   * model of W = 16, ensembles of three, the recent-past score map and the evaluation's
   * de-duplication.
   */
  public enum Pipeline {
    /** The scorer's configuration and alert rule. */
    SERVICE(32, 1, false, 1, VaeDetector.ScoreMap.SCORER_ALERTS),
    /** Variant V12 of docs/nab-variant-log.md. */
    RESEARCH(16, 8, true, 3, VaeDetector.ScoreMap.RECENT);

    final int window;
    final int mcSamples;
    final boolean levelsToo;
    final int ensemble;
    final VaeDetector.ScoreMap scoreMap;

    Pipeline(int window, int mcSamples, boolean levelsToo, int ensemble,
        VaeDetector.ScoreMap scoreMap) {
      this.window = window;
      this.mcSamples = mcSamples;
      this.levelsToo = levelsToo;
      this.ensemble = ensemble;
      this.scoreMap = scoreMap;
    }
  }

  @Option(names = "--pipeline", defaultValue = "service", paramLabel = "PIPELINE",
      converter = PipelineConverter.class,
      description = "VAE defaults: service (what the scorer runs: one model of W = 32 on"
          + " centred windows, L = 1, the scorer's alert rule as the score) or research (a"
          + " centred and a raw model of W = 16, ensembles of three, the recent-past score map);"
          + " the options below override either (default: ${DEFAULT-VALUE}).")
  Pipeline pipeline = Pipeline.SERVICE;

  /** Reads {@code service} or {@code research}, in any case. */
  static final class PipelineConverter implements picocli.CommandLine.ITypeConverter<Pipeline> {
    @Override
    public Pipeline convert(String value) {
      try {
        return Pipeline.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + value
            + "' is not a pipeline; expected service or research");
      }
    }
  }

  @Option(names = "--window",
      description = "VAE window length in records (default: 32 for the service pipeline, 16 for"
          + " research).")
  Integer window;

  @Option(names = "--vae-steps", defaultValue = "400", paramLabel = "STEPS",
      description = "Adam steps per VAE training; the epochs follow from the number of"
          + " training windows (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--vae-hidden", split = ",", paramLabel = "SIZES",
      description = "VAE encoder hidden layer sizes; the decoder mirrors them (default: 32,16).")
  int[] hidden;

  @Option(names = "--vae-threshold-quantile", paramLabel = "Q",
      description = "Quantile of the training windows' scores that is the VAE's threshold, the"
          + " trainer's --threshold-quantile (default: 0.995).")
  Double thresholdQuantile;

  @Option(names = "--vae-learning-rate", paramLabel = "RATE",
      description = "VAE Adam learning rate (default: 0.003).")
  Double learningRate;

  @Option(names = "--epochs",
      description = "Train the VAE for this many epochs instead of --vae-steps.")
  Integer epochs;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of the VAE and the forest (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--vae-mc-samples", paramLabel = "L",
      description = "Monte Carlo samples of z per scored VAE window (default: 1 for the service"
          + " pipeline, 8 for research).")
  Integer mcSamples;

  @Option(names = "--vae-retrain-every", defaultValue = "0", paramLabel = "RECORDS",
      description = "Retrain the VAE after every this many scored records on the most recent"
          + " --vae-max-train records; 0 never (default: ${DEFAULT-VALUE}).")
  int retrainEvery;

  @Option(names = "--vae-max-train", defaultValue = "5000", paramLabel = "RECORDS",
      description = "Most recent records a VAE retraining uses (default: ${DEFAULT-VALUE}).")
  int maxTrain;

  @Option(names = "--vae-retrain-steps", defaultValue = "0", paramLabel = "STEPS",
      description = "Adam steps of a VAE retraining that fine-tunes the previous model"
          + " instead of training afresh; 0 retrains from fresh weights with --vae-steps"
          + " (default: ${DEFAULT-VALUE}).")
  int retrainSteps;

  @Option(names = "--vae-score-map", paramLabel = "MAP",
      description = "How VAE scores become [0, 1]: TRAINING (calibrated on the training"
          + " windows), RECENT (against the file's own recent scores, as NAB's anomaly"
          + " likelihood), RECENT_EW (the scorer's compact form of RECENT: weighted moments of"
          + " the recent scores) or SCORER_ALERTS (RECENT_EW where the scorer would alert, half"
          + " of it elsewhere: the scorer's own de-duplication, so --rising-edge leaves it"
          + " alone) (default: SCORER_ALERTS for the service pipeline, RECENT for research).")
  VaeDetector.ScoreMap scoreMap;

  @Option(names = "--vae-surprise-average", defaultValue = "1", paramLabel = "RECORDS",
      description = "With the RECENT score map: raw scores averaged before they are compared"
          + " with the file's past (default: ${DEFAULT-VALUE}).")
  int surpriseAverage;

  @Option(names = "--vae-centre", negatable = true, defaultValue = "true",
      fallbackValue = "true",
      description = "Centre each VAE window on its own mean, so the model learns shapes and"
          + " not levels (default: ${DEFAULT-VALUE}).")
  boolean centre;

  // On in the research pipeline since issue #3 session 4 (variant V9, chosen on half of NAB,
  // docs/quality.md); off in the service pipeline, where one centred model beat the pair (P10).
  @Option(names = "--vae-levels-too", negatable = true,
      description = "Pair the VAE with a second one on the other kind of windows (raw when"
          + " the first is centred, centred when it is raw), each with its own score map; a"
          + " record scores the larger of the two: shapes and levels both seen, twice the time"
          + " (default: off for the service pipeline, on for research).")
  Boolean levelsToo;

  @Option(names = "--vae-condition", defaultValue = "none", paramLabel = "CONDITION",
      description = "Conditional VAE: none, or time-of-week (time of day and day of week of each"
          + " window's last record, UTC) (default: ${DEFAULT-VALUE}).")
  String condition;

  // 3 in the research pipeline and last-record since issue #3 session 5 (variant V12, chosen on
  // half of NAB over a seed study, docs/quality.md); the scorer serves one model.
  @Option(names = "--vae-ensemble", paramLabel = "N",
      description = "VAEs per detector, trained alike but for their seeds (seed, seed + 1, ...);"
          + " each window's anomaly score is their mean (default: 1 for the service pipeline, 3"
          + " for research).")
  Integer ensemble;

  @Option(names = "--vae-score-target", defaultValue = "last-record", paramLabel = "TARGET",
      description = "What a VAE score is the log-probability of: window (all of the window's"
          + " values) or last-record (the scored record's values, the window as its context)"
          + " (default: ${DEFAULT-VALUE}).")
  String scoreTarget;

  @Option(names = "--vae-architecture", defaultValue = "dense", paramLabel = "LAYERS",
      description = "VAE encoder/decoder: dense or conv1d (default: ${DEFAULT-VALUE}).")
  String architecture;

  // The peer runs as NAB's published Random Cut Forest entry did (shingle 1, 100 trees, 256
  // samples), so the comparison is against its best-known configuration, not a weaker one.
  @Option(names = "--rcf-trees", defaultValue = "100",
      description = "Random Cut Forest trees (default: ${DEFAULT-VALUE}).")
  int trees;

  @Option(names = "--rcf-sample-size", defaultValue = "256",
      description = "Points per RCF tree (default: ${DEFAULT-VALUE}).")
  int sampleSize;

  @Option(names = "--rcf-shingle", paramLabel = "RECORDS", defaultValue = "1",
      description = "RCF shingle size (default: ${DEFAULT-VALUE}).")
  int shingle;

  // On by default for every detector, the peer included, so the comparison stays like for like;
  // a VAE scored by the scorer's alert rule de-duplicates as the scorer does (16 records) instead.
  @Option(names = "--rising-edge", defaultValue = "16", paramLabel = "RECORDS",
      description = "Alert de-duplication for every detector but a VAE whose score map is"
          + " SCORER_ALERTS (which de-duplicates as the scorer does): a record keeps its score"
          + " only when it exceeds every score of the previous RECORDS records, else it is"
          + " halved; 0 off (default: ${DEFAULT-VALUE}).")
  int risingEdge;

  private int window() {
    return window != null ? window : pipeline.window;
  }

  private boolean levelsToo() {
    return levelsToo != null ? levelsToo : pipeline.levelsToo;
  }

  private int ensemble() {
    return ensemble != null ? ensemble : pipeline.ensemble;
  }

  private VaeDetector.ScoreMap scoreMap() {
    return scoreMap != null ? scoreMap : pipeline.scoreMap;
  }

  /** Whether the named detector gets {@link RisingEdge}; not a VAE that has the scorer's rule. */
  private boolean deduplicates(String name) {
    return risingEdge > 0
        && !(name.equals(VaeDetector.NAME) && scoreMap() == VaeDetector.ScoreMap.SCORER_ALERTS);
  }

  /** The VAE settings these options describe. */
  public VaeDetector.Settings vaeSettings() {
    VaeDetector.Settings defaults = VaeDetector.Settings.defaults();
    VaeConfig.Builder config = defaults.config().toBuilder().windowLength(window()).seed(seed)
        .centreWindows(centre).conditioning(conditioning()).architecture(architectureKind())
        .mcSamples(mcSamples != null ? mcSamples : pipeline.mcSamples)
        .scoreTarget(scoreTargetKind());
    if (epochs != null) {
      config.epochs(epochs);
    }
    if (hidden != null) {
      config.hiddenSizes(hidden);
    }
    if (learningRate != null) {
      config.learningRate(learningRate);
    }
    if (thresholdQuantile != null) {
      config.thresholdQuantile(thresholdQuantile);
    }
    return new VaeDetector.Settings(config.build(), epochs != null ? 0 : steps, retrainEvery,
        maxTrain, scoreMap(), surpriseAverage, retrainSteps, ensemble());
  }

  private VaeConfig.Conditioning conditioning() {
    return parse("--vae-condition", condition, VaeConfig.Conditioning::parse);
  }

  private VaeConfig.ScoreTarget scoreTargetKind() {
    return parse("--vae-score-target", scoreTarget, VaeConfig.ScoreTarget::parse);
  }

  private VaeConfig.ArchitectureKind architectureKind() {
    return parse("--vae-architecture", architecture, VaeConfig.ArchitectureKind::parse);
  }

  /** Reads an option's value with a library parser, its message prefixed by the option. */
  private static <T> T parse(String option, String value,
      java.util.function.Function<String, T> parser) {
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
  }

  /** The RCF settings these options describe. */
  public RcfDetector.Settings rcfSettings() {
    return new RcfDetector.Settings(shingle, trees, sampleSize, seed);
  }

  private void checkScoreMaps() {
    if (risingEdge < 0) {
      throw new IllegalArgumentException("--rising-edge must be >= 0, was " + risingEdge);
    }
    if (surpriseAverage < 1) {
      throw new IllegalArgumentException("--vae-surprise-average must be >= 1, was "
          + surpriseAverage);
    }
    if (retrainSteps < 0) {
      throw new IllegalArgumentException("--vae-retrain-steps must be >= 0, was "
          + retrainSteps);
    }
    if (ensemble() < 1) {
      throw new IllegalArgumentException("--vae-ensemble must be >= 1, was " + ensemble());
    }
    if (window() < 1) {
      throw new IllegalArgumentException("--window must be >= 1, was " + window());
    }
  }

  /** The detector names asked for, checked and without repeats; the score maps checked too. */
  public List<String> names() {
    checkScoreMaps();
    List<String> out = new ArrayList<>();
    for (String d : detectors) {
      String name = d.strip();
      if (!KNOWN.contains(name)) {
        throw new IllegalArgumentException("unknown detector '" + name + "'; known: "
            + String.join(", ", KNOWN));
      }
      if (!out.contains(name)) {
        out.add(name);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--detectors names no detector");
    }
    return out;
  }

  /** Creates the named detector. */
  public Detector create(String name) {
    checkScoreMaps();
    Detector detector = createPlain(name);
    return deduplicates(name) ? new RisingEdge(detector, risingEdge) : detector;
  }

  private Detector createPlain(String name) {
    return switch (name) {
      case VaeDetector.NAME -> levelsToo() ? vaePair() : new VaeDetector(vaeSettings());
      case RcfDetector.NAME -> new RcfDetector(rcfSettings());
      case NullDetector.NAME -> new NullDetector();
      default -> throw new IllegalArgumentException("unknown detector '" + name + "'");
    };
  }

  private Detector vaePair() {
    VaeDetector.Settings first = vaeSettings();
    VaeConfig other = first.config().toBuilder()
        .centreWindows(!first.config().centreWindows()).build();
    return new MaxOfDetectors(VaeDetector.NAME, List.of(new VaeDetector(first),
        new VaeDetector(new VaeDetector.Settings(other, first.trainSteps(),
            first.retrainEvery(), first.maxTrainRecords(), first.scoreMap(),
            first.surpriseAverage(), first.retrainSteps(), first.ensemble()))));
  }

  /** The settings of the named detectors, for the summary. */
  public Map<String, Object> describe(List<String> names) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String n : names) {
      Map<String, Object> settings = settingsOf(n);
      if (n.equals(VaeDetector.NAME)) {
        settings.put("pipeline", pipeline.name().toLowerCase(java.util.Locale.ROOT));
      }
      if (deduplicates(n)) {
        settings.put("risingEdge", "a score counts only when it exceeds every score of the"
            + " previous " + risingEdge + " records; otherwise halved");
      }
      out.put(n, settings);
    }
    return out;
  }

  private Map<String, Object> settingsOf(String name) {
    Map<String, Object> m = new LinkedHashMap<>();
    switch (name) {
      case VaeDetector.NAME -> {
        VaeDetector.Settings s = vaeSettings();
        VaeConfig c = s.config();
        m.put("windowLength", c.windowLength());
        m.put("hiddenSizes", c.hiddenSizes());
        m.put("latentDim", c.latentDim());
        if (s.trainSteps() > 0) {
          m.put("trainSteps", s.trainSteps());
        } else {
          m.put("epochs", c.epochs());
        }
        m.put("batchSize", c.batchSize());
        m.put("learningRate", c.learningRate());
        m.put("beta", c.beta());
        m.put("mcSamples", c.mcSamples());
        m.put("seed", c.seed());
        m.put("ensemble", s.ensemble());
        m.put("thresholdQuantile", c.thresholdQuantile());
        m.put("retrainEvery", s.retrainEvery());
        m.put("maxTrainRecords", s.maxTrainRecords());
        m.put("retrainSteps", s.retrainSteps());
        m.put("centreWindows", c.centreWindows());
        if (levelsToo()) {
          m.put("pairedWith", "the same VAE on " + (c.centreWindows() ? "raw" : "centred")
              + " windows; each record scores the larger of the two");
        }
        m.put("architecture", c.architecture().name());
        m.put("conditioning", c.conditioning().label());
        m.put("scoreTarget", c.scoreTarget().label());
        m.put("scoreMap", switch (s.scoreMap()) {
          case TRAINING -> "sigmoid(asinh((s - threshold) / (threshold - median))), training"
              + " windows' statistics";
          case RECENT -> "RecentSurprise: mean of the last " + s.surpriseAverage()
              + " of asinh((s - threshold) / (threshold - median)) against the previous"
              + " 8640 such means (training windows first), (1 + d / (1 + |d|)) / 2";
          case RECENT_EW -> "ScoreSurprise: asinh((s - threshold) / (threshold - median))"
              + " against the running mean and variance of the previous such values, weighted"
              + " over the last 8640 (training windows first), (1 + d / (1 + |d|)) / 2";
          case SCORER_ALERTS -> "the scorer's alerts: RECENT_EW's surprise where s > threshold"
              + " and s exceeds each of the previous 16 scores, half of it elsewhere";
        });
      }
      case RcfDetector.NAME -> {
        RcfDetector.Settings s = rcfSettings();
        m.put("shingleSize", s.shingleSize());
        m.put("trees", s.trees());
        m.put("sampleSize", s.sampleSize());
        m.put("seed", s.seed());
        m.put("scoreMap", "min(1, score / log2(sampleSize))");
      }
      default -> { }
    }
    return m;
  }
}
