package dev.streamvae.benchmarks;

import dev.streamvae.vae.AnomalyModel;
import dev.streamvae.vae.ScoreBatch;
import dev.streamvae.vae.VaeConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link AnomalyModel#score} of one batch, by batch size, Monte Carlo samples L and scoring pass
 * ({@code java}: the default pure-Java kernel; {@code nd4j}: the ND4J pass it replaced, selected
 * with {@link AnomalyModel#KERNEL_PROPERTY}), on one thread. The time is per batch; divide by
 * {@code batch} for the cost per window ({@code benchmarks/run} prints both). {@code target}
 * compares a whole-window model with a last-record one, whose decoder head computes only the
 * last record's outputs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScoringBenchmark {

  @Param({"1", "16", "64", "256", "1024"})
  int batch;

  @Param({"1", "8", "32"})
  int mcSamples;

  @Param({"java", "nd4j"})
  String kernel;

  /** What a score covers ({@code -p target=window,last-record} compares the two). */
  @Param({"window"})
  String target;

  private AnomalyModel model;
  private float[][] windows;

  /** Trains a small model of the default shape and cuts the windows to score. */
  @Setup(Level.Trial)
  public void setUp() {
    // Read when a model is built; each parameter combination runs in its own fork.
    System.setProperty(AnomalyModel.KERNEL_PROPERTY, kernel);
    model = Fixtures.model(mcSamples, VaeConfig.ScoreTarget.parse(target));
    windows = Fixtures.windows(batch, model.windowLength());
  }

  /** Scores one batch. */
  @Benchmark
  public ScoreBatch score() {
    return model.score(windows);
  }
}
