package dev.streamvae.benchmarks;

import dev.streamvae.vae.VaeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * The arithmetic ceiling: only the matrix multiplies of scoring one batch (the encoder's layers
 * on {@code [B, .]}, the decoder's on {@code [L*B, .]}), as ND4J GEMMs into preallocated
 * outputs, with the default model's shapes. Nothing else (no bias, activation, likelihood,
 * allocation), so {@link ScoringBenchmark} divided by this is the scoring path's overhead over
 * the arithmetic it cannot avoid, and {@code Fixtures.flopsPerWindow * batch / time} is the
 * single-core FLOP/s this BLAS reaches at these shapes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmCeilingBenchmark {

  @Param({"1", "256", "1024"})
  int batch;

  @Param({"1", "8"})
  int mcSamples;

  private final List<INDArray[]> steps = new ArrayList<>();

  /** Random operands of the layer shapes and their preallocated products. */
  @Setup(Level.Trial)
  public void setUp() {
    Nd4j.getRandom().setSeed(3);
    VaeConfig config = Fixtures.config(mcSamples, 1);
    int rowsEnc = batch;
    int rowsDec = batch * mcSamples;
    int in = config.windowSize();
    INDArray x = Nd4j.rand(DataType.FLOAT, rowsEnc, in);
    for (int h : config.hiddenSizes()) {
      x = layer(x, in, h);
      in = h;
    }
    layer(x, in, config.latentDim());
    layer(x, in, config.latentDim());
    INDArray z = Nd4j.rand(DataType.FLOAT, rowsDec, config.latentDim());
    in = config.latentDim();
    List<Integer> hidden = config.hiddenSizes();
    for (int i = hidden.size() - 1; i >= 0; i--) {
      z = layer(z, in, hidden.get(i));
      in = hidden.get(i);
    }
    layer(z, in, config.windowSize());
    layer(z, in, config.windowSize());
  }

  private INDArray layer(INDArray input, int nIn, int nOut) {
    INDArray w = Nd4j.rand(DataType.FLOAT, nIn, nOut).subi(0.5);
    INDArray out = Nd4j.create(DataType.FLOAT, input.size(0), nOut);
    steps.add(new INDArray[] {input, w, out});
    return out;
  }

  /** Every layer's GEMM of one batch, in order. */
  @Benchmark
  public INDArray gemms() {
    INDArray last = null;
    for (INDArray[] s : steps) {
      last = Nd4j.gemm(s[0], s[1], s[2], false, false, 1.0, 0.0);
    }
    return last;
  }
}
