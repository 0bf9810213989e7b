package dev.streamvae.benchmarks;

import dev.streamvae.vae.TrainedModel;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Training speed: a whole {@link VaeTrainer#train} of the default shape (graph build, epochs,
 * threshold) on {@value #WINDOWS} windows for {@value #EPOCHS} epochs, reported per window-epoch
 * so that its inverse is training windows per second including the fixed costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TrainingBenchmark {

  static final int WINDOWS = 4_096;
  static final int EPOCHS = 3;

  private TrainingSet data;
  private VaeConfig config;

  /** Cuts the training windows once. */
  @Setup(Level.Trial)
  public void setUp() {
    config = Fixtures.config(8, EPOCHS);
    data = Fixtures.trainingSet(WINDOWS, config);
  }

  /** One training run. */
  @Benchmark
  @OperationsPerInvocation(WINDOWS * EPOCHS)
  public TrainedModel train() {
    return VaeTrainer.train(data, config, null);
  }
}
