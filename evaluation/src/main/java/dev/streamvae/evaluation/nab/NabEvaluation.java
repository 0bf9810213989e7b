package dev.streamvae.evaluation.nab;

import dev.streamvae.evaluation.detect.Detector;
import dev.streamvae.evaluation.detect.Series;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs detectors over a {@link NabCorpus}, writes their results in NAB's layout and scores them
 * as NAB does: one threshold per detector and profile, optimised over all files together, then
 * each file scored at it, and the corpus total normalised against the null and perfect
 * detectors.
 */
public final class NabEvaluation {

  /**
   * One file's outcome under one profile at the detector's corpus threshold.
   *
   * @param score raw NAB score of the file
   * @param windowsDetected windows with at least one detection
   * @param counts the record counts NAB reports (tp, tn, fp, fn)
   */
  public record FileProfileOutcome(double score, int windowsDetected, ThresholdScore counts) {}

  /**
   * One file's outcome.
   *
   * @param file path under {@code data/}
   * @param records records in the file
   * @param probationary records not scored
   * @param windows anomaly windows
   * @param detectMillis time the detector took on this file (0 when results were read)
   * @param profiles per profile name
   */
  public record FileOutcome(String file, int records, int probationary, int windows,
      long detectMillis, Map<String, FileProfileOutcome> profiles) {}

  /**
   * A detector's corpus result under one profile.
   *
   * @param profile the profile's name
   * @param score the normalised NAB score: 100 perfect, 0 the null detector; null when the
   *     files have no window at all (nothing to normalise against)
   * @param threshold the optimised threshold (detections are scores {@code >=} it)
   * @param rawScore the summed raw score at that threshold
   * @param nullScore the null detector's raw score
   * @param perfectScore the perfect detector's raw score
   * @param windowsDetected windows with a detection, over all files
   * @param windows windows over all files
   * @param falsePositives detected records outside windows, over all files
   */
  public record ProfileOutcome(String profile, Double score, double threshold, double rawScore,
      double nullScore, double perfectScore, int windowsDetected, int windows,
      long falsePositives) {}

  /**
   * A detector's whole result.
   *
   * @param detector its name
   * @param detectSeconds wall time spent detecting, all files
   * @param profiles per profile, in NAB's order
   * @param files per file
   */
  public record DetectorOutcome(String detector, double detectSeconds,
      List<ProfileOutcome> profiles, List<FileOutcome> files) {

    /** The outcome under the named profile. */
    public ProfileOutcome profile(String name) {
      for (ProfileOutcome p : profiles) {
        if (p.profile().equals(name)) {
          return p;
        }
      }
      throw new IllegalArgumentException("no profile " + name);
    }
  }

  private NabEvaluation() {}

  /** NAB's timestamps carry no zone: they are read as UTC wall-clock times. */
  static long[] epochMillisUtc(java.time.LocalDateTime[] timestamps) {
    long[] out = new long[timestamps.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = timestamps[i].toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    }
    return out;
  }

  /**
   * Runs a detector on every file, up to {@code threads} files at once, writes each file's
   * results under {@code outDir} in NAB's layout and scores them. A detector's result for a file
   * depends on that file alone (every {@link Detector} is causal and keeps no state between
   * calls), so the results, and the scores, are the same for any number of threads; only the
   * order of the progress lines differs.
   *
   * @param progress one line per file goes here; may be null
   * @param threads files detected at once, at least 1
   */
  public static DetectorOutcome run(Detector detector, NabCorpus corpus, Path outDir,
      PrintWriter progress, int threads) throws IOException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + threads);
    }
    List<NabFile> files = corpus.files();
    double[][] scores = new double[files.size()][];
    long[] millis = new long[files.size()];
    AtomicInteger done = new AtomicInteger();
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(
        Math.min(threads, Math.max(1, files.size())), r -> {
          Thread t = new Thread(r, "nab-" + detector.name());
          t.setDaemon(true);
          return t;
        });
    try {
      List<Future<?>> pending = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        int k = i;
        pending.add(pool.submit(() -> {
          NabFile file = files.get(k);
          long t0 = System.nanoTime();
          double[] s = detector.detect(
              Series.univariate(file.relativePath(), file.values(), file.probationaryLength(),
                  epochMillisUtc(file.timestamps())));
          millis[k] = (System.nanoTime() - t0) / 1_000_000;
          NabResults.write(outDir, detector.name(), file, s);
          scores[k] = s;
          if (progress != null) {
            synchronized (progress) {
              progress.printf(Locale.ROOT, "%-5s %2d/%d %-62s %6d records %7.1f s%n",
                  detector.name(), done.incrementAndGet(), files.size(), file.relativePath(),
                  file.size(), millis[k] / 1000.0);
              progress.flush();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : pending) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          throw new IllegalStateException(cause);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while detecting", e);
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return score(detector.name(), files, Arrays.asList(scores), millis, seconds);
  }

  /** Scores results already written under {@code outDir} (by this tool or by NAB). */
  public static DetectorOutcome scoreExisting(String detector, NabCorpus corpus, Path outDir)
      throws IOException {
    List<double[]> scores = new ArrayList<>();
    for (NabFile file : corpus.files()) {
      scores.add(NabResults.read(outDir, detector, file));
    }
    return score(detector, corpus.files(), scores, new long[corpus.files().size()], 0);
  }

  /** Scores one detector's anomaly scores, one array per file, under every NAB profile. */
  public static DetectorOutcome score(String detector, List<NabFile> files,
      List<double[]> scores, long[] millis, double detectSeconds) {
    List<FileSweep> sweeps = new ArrayList<>();
    for (int k = 0; k < files.size(); k++) {
      sweeps.add(files.get(k).sweep(scores.get(k)));
    }
    List<ProfileOutcome> profiles = new ArrayList<>();
    List<Map<String, FileProfileOutcome>> perFile = new ArrayList<>();
    for (int k = 0; k < files.size(); k++) {
      perFile.add(new LinkedHashMap<>());
    }
    for (NabProfile profile : NabProfile.ALL) {
      ThresholdScore best = NabScorer.optimise(sweeps, profile);
      double nullScore = NabScorer.nullScore(sweeps, profile);
      double perfect = NabScorer.perfectScore(sweeps, profile);
      int detected = 0;
      int windows = 0;
      long fp = 0;
      for (int k = 0; k < sweeps.size(); k++) {
        FileSweep sweep = sweeps.get(k);
        ThresholdScore at = NabScorer.scoreAt(sweep, profile, best.threshold());
        int hit = NabScorer.windowsDetected(sweep, best.threshold());
        perFile.get(k).put(profile.name(), new FileProfileOutcome(at.score(), hit, at));
        detected += hit;
        windows += sweep.windowCount();
        fp += at.fp();
      }
      Double normalised = perfect > nullScore
          ? NabScorer.normalise(best.score(), nullScore, perfect) : null;
      profiles.add(new ProfileOutcome(profile.name(), normalised, best.threshold(), best.score(),
          nullScore, perfect, detected, windows, fp));
    }
    List<FileOutcome> fileOutcomes = new ArrayList<>();
    for (int k = 0; k < files.size(); k++) {
      NabFile f = files.get(k);
      fileOutcomes.add(new FileOutcome(f.relativePath(), f.size(), f.probationaryLength(),
          f.windows().size(), millis[k], perFile.get(k)));
    }
    return new DetectorOutcome(detector, detectSeconds, profiles, fileOutcomes);
  }
}
