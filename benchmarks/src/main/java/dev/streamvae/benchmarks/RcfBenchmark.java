package dev.streamvae.benchmarks;

import com.amazon.randomcutforest.RandomCutForest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Random Cut Forest library at the VAE's dimensionality: a 1-D series shingled to the
 * window length W=32 (so each point is 32-dimensional, as the VAE's window), 50 trees, sample
 * size 256 (the library's defaults and the evaluation's detector), one thread. Per record: score
 * then update, which is what a streaming RCF detector does for every record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RcfBenchmark {

  static final int SHINGLE = 32;
  private static final int STREAM = 1 << 14;

  private RandomCutForest forest;
  private float[][] stream;
  private int next;

  /** A forest that has seen 2,000 records already, so its trees are full. */
  @Setup(Level.Trial)
  public void setUp() {
    forest = RandomCutForest.builder().dimensions(SHINGLE).shingleSize(SHINGLE)
        .internalShinglingEnabled(true).numberOfTrees(50).sampleSize(256).randomSeed(5)
        .build();
    double[][] values = Fixtures.sine(STREAM, 3);
    stream = new float[STREAM][];
    for (int t = 0; t < STREAM; t++) {
      stream[t] = new float[] {(float) ((values[t][0] - 10) / 2.1)};
    }
    for (int t = 0; t < 2_000; t++) {
      forest.update(stream[t]);
    }
    next = 2_000;
  }

  /** Scores one record and adds it to the forest. */
  @Benchmark
  public double scoreAndUpdate() {
    float[] point = stream[next];
    next = (next + 1) & (STREAM - 1);
    double score = forest.getAnomalyScore(point);
    forest.update(point);
    return score;
  }
}
