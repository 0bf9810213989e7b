package dev.streamvae.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the benchmark's JVM per operation, in microseconds ({@code cpu} secondary result).
 * On a machine that others share, wall time per operation grows with their load while the CPU
 * time the operation needs changes much less, so the derived figures use this. The whole
 * process is counted, not only the benchmark thread, because ND4J hands work to other threads
 * (the deallocator of off-heap buffers, the garbage collector) that an operation causes; with
 * {@code OMP_NUM_THREADS=1} its kernels run on the calling thread.
 */
public final class CpuTimeProfiler implements InternalProfiler {

  private final OperatingSystemMXBean os =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long before;

  @Override
  public String getDescription() {
    return "CPU time of the benchmark JVM per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    before = os.getProcessCpuTime();
  }

  @Override
  public List<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams,
      IterationParams iterationParams, IterationResult result) {
    long ops = result.getMetadata().getMeasuredOps();
    double perOp = ops == 0 ? Double.NaN : (os.getProcessCpuTime() - before) / 1e3 / ops;
    return List.of(new ScalarResult("cpu", perOp, "us/op", AggregationPolicy.AVG));
  }
}
