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

  @Option(names = "--window", defaultValue = "16",
      description = "VAE window length in records (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--vae-steps", defaultValue = "400", paramLabel = "STEPS",
      description = "Adam steps per VAE training; the epochs follow from the number of"
          + " training windows (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--epochs",
      description = "Train the VAE for this many epochs instead of --vae-steps.")
  Integer epochs;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of the VAE and the forest (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--vae-mc-samples", defaultValue = "8", paramLabel = "L",
      description = "Monte Carlo samples of z per scored VAE window (default: ${DEFAULT-VALUE}).")
  int mcSamples;

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

  @Option(names = "--vae-score-map", defaultValue = "RECENT", paramLabel = "MAP",
      description = "How VAE scores become [0, 1]: TRAINING (calibrated on the training"
          + " windows), RECENT (against the file's own recent scores, as NAB's anomaly"
          + " likelihood), RECENT_EW (the scorer's compact form of RECENT: weighted moments of"
          + " the recent scores) or SCORER_ALERTS (RECENT_EW where the scorer would alert, half"
          + " of it elsewhere; use with --rising-edge 0) (default: ${DEFAULT-VALUE}).")
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

  // On since issue #3 session 4 (variant V9, chosen on half of NAB, docs/quality.md).
  @Option(names = "--vae-levels-too", negatable = true, defaultValue = "true",
      fallbackValue = "true",
      description = "Pair the VAE with a second one on the other kind of windows (raw when"
          + " the first is centred, centred when it is raw), each with its own score map; a"
          + " record scores the larger of the two: shapes and levels both seen, twice the time"
          + " (default: ${DEFAULT-VALUE}).")
  boolean levelsToo;

  @Option(names = "--vae-condition", defaultValue = "none", paramLabel = "CONDITION",
      description = "Conditional VAE: none, or time-of-week (time of day and day of week of each"
          + " window's last record, UTC) (default: ${DEFAULT-VALUE}).")
  String condition;

  // 3 and last-record since issue #3 session 5 (variant V12, chosen on half of NAB over a seed
  // study, docs/quality.md).
  @Option(names = "--vae-ensemble", defaultValue = "3", paramLabel = "N",
      description = "VAEs per detector, trained alike but for their seeds (seed, seed + 1, ...);"
          + " each window's anomaly score is their mean (default: ${DEFAULT-VALUE}).")
  int ensemble;

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

  // On by default for every detector, the peer included, so the comparison stays like for like.
  @Option(names = "--rising-edge", defaultValue = "16", paramLabel = "RECORDS",
      description = "Alert de-duplication for every detector: a record keeps its score only when"
          + " it exceeds every score of the previous RECORDS records, else it is halved; 0 off"
          + " (default: ${DEFAULT-VALUE}).")
  int risingEdge;

  /** The VAE settings these options describe. */
  public VaeDetector.Settings vaeSettings() {
    VaeDetector.Settings defaults = VaeDetector.Settings.defaults();
    VaeConfig.Builder config = defaults.config().toBuilder().windowLength(window).seed(seed)
        .centreWindows(centre).conditioning(conditioning()).architecture(architectureKind())
        .mcSamples(mcSamples).scoreTarget(scoreTargetKind());
    if (epochs != null) {
      config.epochs(epochs);
    }
    return new VaeDetector.Settings(config.build(), epochs != null ? 0 : steps, retrainEvery,
        maxTrain, scoreMap, surpriseAverage, retrainSteps, ensemble);
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
    if (ensemble < 1) {
      throw new IllegalArgumentException("--vae-ensemble must be >= 1, was " + ensemble);
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
    return risingEdge > 0 ? new RisingEdge(detector, risingEdge) : detector;
  }

  private Detector createPlain(String name) {
    return switch (name) {
      case VaeDetector.NAME -> levelsToo ? vaePair() : new VaeDetector(vaeSettings());
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
      if (risingEdge > 0) {
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
        if (levelsToo) {
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
