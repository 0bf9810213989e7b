package dev.streamvae.benchmarks;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark of this module in one JMH run with short iterations (minutes, not hours)
 * and prints the derived figures the issue asks for: cost per window by batch and L, that cost as
 * a multiple of the GEMM ceiling of the same shapes, the FLOP/s the ceiling reaches, training
 * windows per second, and the VAE's per-record cost against Random Cut Forest's. Any JMH
 * command-line option (for example {@code -p batch=256} or {@code -i 5}) overrides the defaults.
 */
public final class ModelBenchmarks {

  private ModelBenchmarks() {}

  /** Entry point of {@code benchmarks/run}. */
  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
    if (cli.getIncludes().isEmpty()) {
      options.include("dev\\.streamvae\\.benchmarks\\..*");
    }
    options.forks(cli.getForkCount().orElse(1))
        .warmupIterations(cli.getWarmupIterations().orElse(2))
        .warmupTime(cli.getWarmupTime().orElse(TimeValue.seconds(1)))
        .measurementIterations(cli.getMeasurementIterations().orElse(3))
        .measurementTime(cli.getMeasurementTime().orElse(TimeValue.seconds(1)))
        .jvmArgsAppend("-Xmx2g")
        .addProfiler(CpuTimeProfiler.class);
    Collection<RunResult> results = new Runner(options.build()).run();
    System.out.println();
    System.out.println(summary(results));
  }

  /** The derived figures, as text. */
  static String summary(Collection<RunResult> results) {
    // Keys "batch/L", in numeric order.
    Comparator<String> numeric = Comparator.comparingInt((String k) -> part(k, 0))
        .thenComparingInt(k -> part(k, 1));
    // Scoring by pass ("java", "nd4j", with ",last-record" for that target), then by
    // "batch/L".
    Map<String, Map<String, Double>> scoringByKernel = new TreeMap<>();
    Map<String, Double> gemm = new TreeMap<>(numeric);
    Double rcf = null;
    Double training = null;
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      // CPU time per operation where the profiler ran, else wall time.
      Result<?> cpu = r.getSecondaryResults().get("cpu");
      double micros = cpu != null ? cpu.getScore() : r.getPrimaryResult().getScore();
      if (name.endsWith("ScoringBenchmark.score")) {
        String kernel = r.getParams().getParam("kernel");
        String target = r.getParams().getParam("target");
        String pass = (kernel == null ? "java" : kernel)
            + (target == null || target.equals("window") ? "" : "," + target);
        scoringByKernel.computeIfAbsent(pass, k -> new TreeMap<>(numeric)).put(key(r), micros);
      } else if (name.endsWith("GemmCeilingBenchmark.gemms")) {
        gemm.put(key(r), micros);
      } else if (name.endsWith("RcfBenchmark.scoreAndUpdate")) {
        rcf = micros;
      } else if (name.endsWith("TrainingBenchmark.train")) {
        training = micros;
      }
    }
    StringBuilder out = new StringBuilder(
        "derived (one thread; us = microseconds of the JVM's CPU time per operation)\n");
    for (Map.Entry<String, Map<String, Double>> byKernel : scoringByKernel.entrySet()) {
      for (Map.Entry<String, Double> e : byKernel.getValue().entrySet()) {
        String[] k = e.getKey().split("/");
        int batch = Integer.parseInt(k[0]);
        int l = Integer.parseInt(k[1]);
        double perWindow = e.getValue() / batch;
        out.append(String.format(Locale.ROOT, "score %-4s batch %4d L %2d: %9.2f us/window",
            byKernel.getKey(), batch, l, perWindow));
        Double g = gemm.get(e.getKey());
        if (g != null) {
          long flops = Fixtures.flopsPerWindow(Fixtures.config(l, 1), l) * batch;
          out.append(String.format(Locale.ROOT,
              "  gemm ceiling %8.2f us/window (%.2f GFLOP/s)  score/ceiling %.2fx",
              g / batch, flops / (g * 1e3), e.getValue() / g));
        }
        if (rcf != null) {
          out.append(String.format(Locale.ROOT, "  rcf/score %.1fx", rcf / perWindow));
        }
        out.append('\n');
      }
    }
    if (rcf != null) {
      out.append(String.format(Locale.ROOT,
          "rcf    32-D (1-D shingled to 32), 50 trees: %.2f us/record%n", rcf));
    }
    if (training != null) {
      out.append(String.format(Locale.ROOT, "train  default shape, L 8: %.0f windows/s%n",
          1e6 / training));
    }
    return out.toString();
  }

  private static int part(String key, int index) {
    return Integer.parseInt(key.split("/")[index]);
  }

  private static String key(RunResult r) {
    return Integer.parseInt(r.getParams().getParam("batch")) + "/"
        + Integer.parseInt(r.getParams().getParam("mcSamples"));
  }
}
