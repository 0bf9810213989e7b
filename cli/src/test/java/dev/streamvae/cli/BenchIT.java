package dev.streamvae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code anomaly bench} with a tiny backlog on a real broker: the summary has every case, each
 * with sane (not fast, not asserted) figures, the ratios, and the window store's size per key.
 * Timings are measured by the command, never asserted here.
 */
class BenchIT {

  @Test
  @SuppressWarnings("unchecked")
  void summaryHasEveryCaseWithSaneFiguresAndTheRatios() throws Exception {
    Path file = Path.of("target", "bench-summary.json");
    Files.createDirectories(file.getParent());
    // Every case offered the same live rate, as --offered-rate does.
    BenchOptions options = new BenchOptions(3_000, file, 3, 20, "exactly_once_v2", List.of(1, 8),
        Duration.ofSeconds(2), 1, List.of(), null, null, 1, null, 500);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Map<String, Object> s = new BenchRun(options,
        new PrintStream(log, true, StandardCharsets.UTF_8)).run();
    String context = log.toString(StandardCharsets.UTF_8);

    assertThat(Files.exists(file)).isTrue();
    List<Map<String, Object>> cases = (List<Map<String, Object>>) s.get("cases");
    assertThat(cases).extracting(c -> c.get("case")).as(context)
        .containsExactly("pass-through", "scorer-default", "scorer-L8");
    assertThat(cases.get(1).get("mcSamples")).as("the default model's L").isEqualTo(1);
    assertThat(cases.get(1).get("scoreTarget")).as("the default model's target")
        .isEqualTo("last-record");
    for (Map<String, Object> c : cases) {
      assertThat(((Number) c.get("recordsPerSecond")).doubleValue()).as(c.toString())
          .isPositive();
      Map<String, Object> cpu = (Map<String, Object>) c.get("cpuSecondsPerMillionRecords");
      assertThat(((Number) cpu.get("application")).doubleValue()).isPositive();
      assertThat(((Number) cpu.get("process")).doubleValue())
          .isGreaterThanOrEqualTo(((Number) cpu.get("application")).doubleValue());
      assertThat(((Number) c.get("heapPeakMiB")).longValue()).isPositive();
      Map<String, Object> latency = (Map<String, Object>) c.get("latency");
      long sent = ((Number) latency.get("records")).longValue();
      assertThat(latency.get("offeredRecordsPerSecond")).as(c.toString()).isEqualTo(500L);
      assertThat(sent).as("2 s at 500 records/s").isEqualTo(1000L);
      assertThat((Map<String, Object>) c.get("streamThreadMillis")).as(c.toString())
          .containsKeys("commit-latency-avg", "commit-latency-max", "poll-latency-avg",
              "process-latency-avg");
      assertThat(latency.get("received")).as("every live record came out once: " + c)
          .isEqualTo((int) sent);
      long p50 = ((Number) latency.get("p50Millis")).longValue();
      long p99 = ((Number) latency.get("p99Millis")).longValue();
      long max = ((Number) latency.get("maxMillis")).longValue();
      assertThat(p50).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(p99);
      assertThat(p99).isLessThanOrEqualTo(max);
      // A record is read after it is appended, so each percentile of the time until a
      // read_committed consumer has it is at least the same percentile of the time to append.
      long visibleP50 = ((Number) latency.get("visibleP50Millis")).longValue();
      long visibleP99 = ((Number) latency.get("visibleP99Millis")).longValue();
      assertThat(visibleP50).isGreaterThanOrEqualTo(p50).isLessThanOrEqualTo(visibleP99);
      assertThat(visibleP99).isGreaterThanOrEqualTo(p99);
      assertThat((Map<String, Object>) latency.get("coresBusy"))
          .containsKeys("application", "loadGenerator", "latencyConsumer", "process",
              "jitCompiler", "gcAndVm");
      assertThat(cpu).containsKeys("jitCompiler", "gcAndVm");
    }
    for (Map<String, Object> c : cases.subList(1, cases.size())) {
      Map<String, Object> state = (Map<String, Object>) c.get("state");
      assertThat(state.get("keys")).isEqualTo(20);
      // A window of 128 floats is 512 bytes; the bound leaves room for RocksDB's own files.
      assertThat(((Number) state.get("changelogBytesPerKey")).longValue()).isPositive();
      assertThat(((Number) state.get("rocksdbBytesPerKey")).longValue()).isPositive();
    }
    assertThat((List<Object>) s.get("warmUpJitCompilerCores")).as("one warm-up round")
        .hasSize(1);
    Map<String, Map<String, Object>> ratios =
        (Map<String, Map<String, Object>>) s.get("scorerToPassThrough");
    assertThat(ratios).containsOnlyKeys("scorer-default", "scorer-L8");
    ratios.values().forEach(r -> {
      assertThat(((Number) r.get("throughput")).doubleValue()).isPositive();
      assertThat(((Number) r.get("cpuPerRecord")).doubleValue()).isPositive();
    });
  }
}
