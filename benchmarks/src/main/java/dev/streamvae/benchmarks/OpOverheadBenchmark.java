package dev.streamvae.benchmarks;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one ND4J call costs apart from its arithmetic: an in-place tanh of one value, a tanh of
 * a {@code [256, 64]} block (the size of a hidden layer's output at batch 256), and creating a
 * one-value array from a Java array. The scoring pass makes a few dozen such calls per batch,
 * whatever the batch size, which is why single windows are expensive.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OpOverheadBenchmark {

  private INDArray one;
  private INDArray block;
  private final float[] value = {0.5f};

  /** The operands. */
  @Setup(Level.Trial)
  public void setUp() {
    one = Nd4j.create(DataType.FLOAT, 1, 1);
    block = Nd4j.rand(DataType.FLOAT, 256, 64);
  }

  /** tanh of one value, in place. */
  @Benchmark
  public INDArray tanhOneValue() {
    return Transforms.tanh(one, false);
  }

  /** tanh of a [256, 64] block, in place (values stay in (-1, 1), so it never saturates). */
  @Benchmark
  public INDArray tanhBlock() {
    return Transforms.tanh(block, false);
  }

  /** A new one-value array from a Java array. */
  @Benchmark
  public INDArray createOneValue() {
    return Nd4j.create(value, new long[] {1, 1}, 'c');
  }
}
