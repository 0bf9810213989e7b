package dev.streamvae.benchmarks;

import dev.streamvae.vae.AnomalyModel;
import dev.streamvae.vae.ScoreBatch;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.util.Arrays;
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
 * {@link AnomalyModel#score(float[][], long[])} of one batch of 256 windows for each model
 * variant of the default shape (W=32, F=1, hidden [32, 16], k=4): dense (the fused pass, the
 * baseline), dense conditioned on time of week, conv1d, and conv1d conditioned, the last three
 * on the layer-by-layer path. Compare the variants within one run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ModelVariantBenchmark {

  @Param({"dense", "dense-time-of-week", "conv1d", "conv1d-time-of-week"})
  String variant;

  @Param({"1", "8"})
  int mcSamples;

  private AnomalyModel model;
  private float[][] windows;
  private long[] timestamps;

  /** Trains a small model of the variant and cuts the windows to score. */
  @Setup(Level.Trial)
  public void setUp() {
    VaeConfig config = Fixtures.config(mcSamples, 1).toBuilder()
        .architecture(variant.startsWith("conv1d") ? VaeConfig.ArchitectureKind.CONV1D
            : VaeConfig.ArchitectureKind.DENSE)
        .conditioning(variant.endsWith("time-of-week") ? VaeConfig.Conditioning.TIME_OF_WEEK
            : VaeConfig.Conditioning.NONE)
        .build();
    TrainingSet data = Fixtures.trainingSet(2_000, config);
    model = VaeTrainer.train(data, config, null).model();
    windows = Fixtures.windows(256, model.windowLength());
    timestamps = Arrays.copyOf(data.windowEnds(), 256);
  }

  /** Scores one batch. */
  @Benchmark
  public ScoreBatch score() {
    return model.score(windows, timestamps);
  }
}
