package dev.streamvae.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.ActiveModel;
import dev.streamvae.scorer.model.ModelSource;
import dev.streamvae.scorer.streams.StreamsTuning;
import dev.streamvae.scorer.topology.DeadLetterReason;
import dev.streamvae.scorer.topology.ScoringListener;
import dev.streamvae.scorer.topology.ScoringTopology;
import dev.streamvae.scorer.topology.TopologySettings;
import dev.streamvae.testkit.KafkaCluster;
import dev.streamvae.testkit.Topics;
import dev.streamvae.vae.TrainedModel;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The side-by-side benchmark behind {@code anomaly bench}. One embedded broker; for each case a
 * fresh input topic holding the same pre-produced records (same keys, values, partitions), a
 * fresh Kafka Streams application with the same processing guarantee and one stream thread, and
 * two phases:
 *
 * <ol>
 *   <li>Throughput: the application drains the backlog; records/s is counted from the first
 *       record processed to the last, so start-up and rebalancing are left out. CPU is taken
 *       over the same span, for the application's own threads and for the whole process (which
 *       includes the broker).
 *   <li>Latency: the same application, its windows now full, is fed live records at half the
 *       rate it just reached. Two latencies per record, both from the input record's timestamp,
 *       which the producer sets to the wall clock when it sends: until the output record's
 *       broker append ({@code LogAppendTime} on the output topic), and until a {@code
 *       read_committed} consumer has it ("visible"). Under exactly-once the second is the
 *       end-to-end latency a downstream consumer sees: an output appended early still waits for
 *       its transaction's commit. The phase also reports the cores busy in it, by whom
 *       (application, the load generator, the latency consumer, the JIT compilers, the process),
 *       since the harness shares the machine with what it measures.
 * </ol>
 *
 * <p>Before the measured cases, unmeasured warm-up rounds (each a drain of up to {@value
 * #WARM_UP_RECORDS} records and a short live phase) run the first scorer case's topology, so
 * that no measured case pays for the JIT compiling the scorer's code. The summary gives the JIT
 * compilers' CPU in each round and in each measured phase.
 *
 * <p>The scorer cases run {@link ScoringTopology#build} itself with the scorer's default
 * topology settings and a model trained here, held fixed (no models topic), so what is measured
 * is the topology and the model, not model loading.
 */
final class BenchRun {

  /** The scorer's defaults ({@code ScorerConfig}): batch 256, 25 ms, 128 records per series. */
  static final int DEFAULT_BATCH_SIZE = 256;
  static final Duration DEFAULT_MAX_BATCH_DELAY = Duration.ofMillis(25);
  static final int DEFAULT_WINDOW_CAPACITY = 128;
  /** At most this many records in each warm-up drain. */
  static final long WARM_UP_RECORDS = 60_000;
  /**
   * The pass-through drains this many times the scorer cases' backlog. It is about five times
   * faster, and a backlog it drained in two seconds gave rates that varied threefold between
   * runs (start-up and the last commit are a large part of two seconds); the rate is per
   * second, so the cases stay comparable.
   */
  static final int PASS_THROUGH_BACKLOG_FACTOR = 5;
  /** Live phase of each warm-up round: the load generator's and consumer's code gets compiled. */
  static final Duration WARM_UP_LATENCY = Duration.ofSeconds(2);

  static final String PASS_THROUGH = "pass-through";
  static final String SCORER_DEFAULT = "scorer-default";
  private static final String FEATURE = "value";
  private static final long STEP_MILLIS = 1_000;
  private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(20);
  private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration DRAIN_POLL = Duration.ofMillis(20);
  /** Client id of the latency phase's load generator; its sender thread's name has it. */
  private static final String LOAD_PRODUCER = "bench-load";
  /** Name of the latency phase's consumer thread. */
  private static final String LATENCY_CONSUMER = "bench-consumer";

  private final BenchOptions options;
  private final PrintStream out;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final OperatingSystemMXBean os =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final ObjectMapper json = new ObjectMapper();
  private final JsonCodec<MetricRecord> metricCodec = JsonCodec.metricRecord();
  private final Path workDir;
  private long liveIndex;

  BenchRun(BenchOptions options, PrintStream out) throws IOException {
    this.options = options;
    this.out = out;
    this.workDir = Files.createTempDirectory("streamvae-bench-");
  }

  /** One case: a name, the topology it runs and the model's L (0 for the pass-through). */
  private record Case(String name, int mcSamples, TrainedModel model) {}

  /** Runs every case and returns (and writes) the summary. */
  Map<String, Object> run() throws Exception {
    Instant started = Instant.now();
    try (KafkaCluster cluster = KafkaCluster.startEmbedded();
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            cluster.bootstrapServers()))) {
      say("broker at " + cluster.bootstrapServers() + "; " + options.records() + " records, "
          + options.series() + " series, " + options.partitions() + " partitions, "
          + options.guarantee());
      List<Case> cases = cases();
      List<Map<String, Object>> results = new ArrayList<>();
      int index = 0;
      // Whichever scorer case ran first paid for the JIT compiling the scorer's code and the
      // JVM's other start-up work: measured, 20 us of application CPU and 70 us of process CPU
      // per record more than the same case run second. Unmeasured warm-up rounds first: after
      // one, the JIT compilers were still busy half a core through the measured cases and the
      // scorer drained about 30% slower than after four (docs/benchmarks.md, session 5).
      Optional<Case> warmUp = cases.stream().filter(c -> c.model() != null).findFirst();
      List<Double> warmUpJit = new ArrayList<>();
      if (warmUp.isPresent()) {
        Case w = warmUp.get();
        for (int round = 1; round <= options.warmUpRounds(); round++) {
          CpuSnapshot before = new CpuSnapshot();
          long t0 = System.nanoTime();
          runCase(cluster.bootstrapServers(), admin,
              new Case("warm-up", w.mcSamples(), w.model()), index++, warmUpRecords(),
              WARM_UP_LATENCY);
          double jit = new CpuSnapshot().jitSeconds(before) / ((System.nanoTime() - t0) / 1e9);
          warmUpJit.add(round(jit));
          say(String.format(Locale.ROOT, "warm-up round %d: JIT compilers busy %.2f cores",
              round, jit));
        }
      }
      for (Case c : cases) {
        long backlog = c.model() == null ? options.records() * PASS_THROUGH_BACKLOG_FACTOR
            : options.records();
        results.add(runCase(cluster.bootstrapServers(), admin, c, index++, backlog,
            options.latencyDuration()));
      }
      Map<String, Object> summary = summary(started, results);
      summary.put("warmUpJitCompilerCores", warmUpJit);
      if (options.summary() != null) {
        json.writerWithDefaultPrettyPrinter().writeValue(options.summary().toFile(), summary);
        say("summary written to " + options.summary());
      }
      return summary;
    } finally {
      deleteQuietly(workDir);
    }
  }

  private List<Case> cases() {
    int defaultL = VaeConfig.builder().build().mcSamples();
    Map<Integer, TrainedModel> models = new LinkedHashMap<>();
    List<Case> cases = new ArrayList<>();
    cases.add(new Case(PASS_THROUGH, 0, null));
    cases.add(new Case(SCORER_DEFAULT, defaultL, null));
    for (int l : options.mcSamples()) {
      if (l != defaultL) {
        cases.add(new Case("scorer-L" + l, l, null));
      }
    }
    List<Case> wanted = new ArrayList<>();
    for (Case c : cases) {
      if (!options.cases().isEmpty() && !options.cases().contains(c.name())) {
        continue;
      }
      TrainedModel model = null;
      if (c.mcSamples() > 0) {
        model = models.computeIfAbsent(c.mcSamples(), this::train);
      }
      wanted.add(new Case(c.name(), c.mcSamples(), model));
    }
    if (wanted.isEmpty()) {
      throw new IllegalArgumentException("--cases names none of " + cases.stream()
          .map(Case::name).toList());
    }
    return wanted;
  }

  /** A model of the default configuration but for L, trained on the benchmark's own signal. */
  private TrainedModel train(int mcSamples) {
    VaeConfig.Builder builder = VaeConfig.builder().featureCount(1).mcSamples(mcSamples)
        .epochs(options.epochs()).seed(17);
    if (options.scoreTarget() != null) {
      builder.scoreTarget(options.scoreTarget());
    }
    VaeConfig config = builder.build();
    int length = 1_500;
    TrainingSet.Builder set = TrainingSet.builder(List.of(FEATURE), config.windowLength(), 1);
    for (int s = 0; s < 2; s++) {
      long[] ts = new long[length];
      double[][] values = new double[length][1];
      for (int t = 0; t < length; t++) {
        ts[t] = t * STEP_MILLIS;
        values[t][0] = value(s, t);
      }
      set.addSeries("train-" + s, ts, values);
    }
    long t0 = System.nanoTime();
    TrainedModel model = VaeTrainer.train(set.build(), config, null);
    say(String.format(Locale.ROOT, "trained a model with L=%d in %.1f s", mcSamples,
        (System.nanoTime() - t0) / 1e9));
    return model;
  }

  /** The benchmark's signal: a per-series phase-shifted sine with deterministic jitter. */
  private static double value(int series, long index) {
    long h = (series * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L);
    h ^= h >>> 31;
    double jitter = ((h & 0xFFFF) / 65536.0 - 0.5) * 0.2;
    return 10 + 3 * Math.sin(2 * Math.PI * (index + series) / 96.0) + jitter;
  }

  private static String seriesId(int s) {
    return String.format(Locale.ROOT, "series-%07d", s);
  }

  private Map<String, Object> runCase(String bootstrap, Admin admin, Case c, int index,
      long records, Duration latencyPhase)
      throws Exception {
    String input = "bench-in-" + index;
    String output = "bench-out-" + index;
    String alerts = "bench-alerts-" + index;
    String deadLetters = "bench-dlq-" + index;
    Topics.createAndAwait(admin, List.of(
        new NewTopic(input, options.partitions(), (short) 1),
        new NewTopic(output, options.partitions(), (short) 1).configs(Map.of(
            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
        new NewTopic(alerts, 1, (short) 1),
        new NewTopic(deadLetters, 1, (short) 1)), TOPIC_TIMEOUT);
    long backlogOrigin = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
    say(c.name() + ": producing the backlog ...");
    try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
      for (long i = 0; i < records; i++) {
        int s = (int) (i % options.series());
        long n = i / options.series();
        long ts = backlogOrigin + n * STEP_MILLIS;
        producer.send(record(input, s, n, ts));
      }
      producer.flush();
    }
    liveIndex = (records + options.series() - 1) / options.series();

    Progress progress = new Progress();
    Topology topology = c.model() == null
        ? passThrough(input, output, progress)
        : scorer(c, input, output, alerts, deadLetters, progress);
    String applicationId = "streamvae-bench-" + index + "-" + System.currentTimeMillis();
    Path stateDir = workDir.resolve(applicationId);
    List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    System.gc();
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("case", c.name());
    if (c.model() != null) {
      result.put("mcSamples", c.mcSamples());
      result.put("scoreTarget", c.model().model().scoreTarget().label());
    }
    KafkaStreams streams = new KafkaStreams(topology,
        streamsProperties(bootstrap, applicationId, stateDir));
    AtomicReference<Throwable> failed = new AtomicReference<>();
    streams.setUncaughtExceptionHandler(e -> {
      failed.set(e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
          .StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    try {
      streams.start();
      // Done when the application's committed input offsets cover the backlog: a count of
      // processed records would run ahead of that whenever a transaction aborts and its records
      // are processed again.
      long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
      long committed;
      while ((committed = committedOffsets(admin, applicationId, input)) < records) {
        if (failed.get() != null || System.nanoTime() > deadline) {
          throw new IllegalStateException(c.name() + ": backlog not drained within "
              + DRAIN_TIMEOUT + " (" + committed + " of " + records + " committed)"
              + (failed.get() == null ? "" : "; stream thread failed: " + failed.get()));
        }
        Thread.sleep(DRAIN_POLL.toMillis());
      }
      progress.finished();
      double seconds = (progress.lastNanos - progress.firstNanos) / 1e9;
      double rate = (records - 1) / seconds;
      double appCpu = (progress.lastCpu.applicationNanos(applicationId)
          - progress.firstCpu.applicationNanos(applicationId)) / 1e9;
      double processCpu = (progress.lastCpu.processNanos - progress.firstCpu.processNanos) / 1e9;
      double perMillion = 1e6 / records;
      long peakHeap = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      result.put("records", records);
      result.put("recordsPerSecond", Math.round(rate));
      result.put("drainSeconds", round(seconds));
      if (c.model() != null) {
        result.put("backlogScored", progress.scored.get());
        // Each anomaly costs one more (single-window) pass for its feature contributions.
        result.put("backlogAnomalies", progress.anomalies.get());
        say(String.format(Locale.ROOT, "%s: %,d of the backlog's records scored, %,d anomalous",
            c.name(), progress.scored.get(), progress.anomalies.get()));
      }
      Map<String, Object> cpu = new LinkedHashMap<>();
      cpu.put("application", round(appCpu * perMillion));
      cpu.put("process", round(processCpu * perMillion));
      // Parts of "process" that are neither the application nor the broker (-1: not known).
      CpuSnapshot first = progress.firstCpu;
      cpu.put("jitCompiler", round(progress.lastCpu.jitSeconds(first) * perMillion));
      cpu.put("gcAndVm", round(progress.lastCpu.gcSeconds(first) * perMillion));
      result.put("cpuSecondsPerMillionRecords", cpu);
      result.put("heapPeakMiB", peakHeap / (1 << 20));
      say(String.format(Locale.ROOT,
          "%s: %,.0f records/s (%.1f s); CPU per million records: %.1f s application, %.1f s "
              + "process; heap peak %d MiB",
          c.name(), rate, seconds, appCpu * perMillion, processCpu * perMillion,
          peakHeap >> 20));

      double offered = options.offeredRate() > 0 ? options.offeredRate() : rate / 2;
      result.put("latency", latency(bootstrap, input, output, offered, c, applicationId,
          latencyPhase, failed));
      result.put("streamThreadMillis", streamThreadMillis(streams));
      say(c.name() + ": stream thread, ms " + result.get("streamThreadMillis"));
      System.gc();
      result.put("heapUsedAfterGcMiB", heapUsed(heapPools) / (1 << 20));
    } finally {
      streams.close(Duration.ofSeconds(60));
    }
    if (failed.get() != null) {
      throw new IllegalStateException(c.name() + ": stream thread failed: " + failed.get(),
          failed.get());
    }
    if (c.model() != null) {
      result.put("state", stateSize(admin, applicationId, stateDir));
    }
    admin.deleteTopics(List.of(input, output, alerts, deadLetters));
    return result;
  }

  private Map<String, Object> latency(String bootstrap, String input, String output,
      double rate, Case c, String applicationId, Duration phase,
      AtomicReference<Throwable> failed) throws Exception {
    long durationMillis = phase.toMillis();
    long target = Math.max(1, Math.round(rate * durationMillis / 1000.0));
    LatencyRecorder recorder = new LatencyRecorder((int) Math.min(target, 50_000_000));
    LatencyRecorder visible = new LatencyRecorder((int) Math.min(target, 50_000_000));
    // Visible latency by the second of the phase the record was sent in: shows whether the
    // percentiles come from a transient (the phase's first second) or from the whole phase.
    List<LatencyRecorder> bySecond = new ArrayList<>();
    for (long i = 0; i <= durationMillis / 1000; i++) {
      bySecond.add(new LatencyRecorder(16));
    }
    AtomicBoolean consuming = new AtomicBoolean(true);
    CountDownLatch assigned = new CountDownLatch(1);
    AtomicLong phaseStart = new AtomicLong(Long.MAX_VALUE);
    Thread consumer = new Thread(() -> consume(bootstrap, output, recorder, visible, bySecond,
        consuming, assigned, phaseStart), LATENCY_CONSUMER);
    consumer.start();
    assigned.await(30, TimeUnit.SECONDS);
    long sent = 0;
    CpuSnapshot cpuBefore = new CpuSnapshot();
    long loadCpuBefore = threads.getCurrentThreadCpuTime();
    long phaseNanos = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = producer(bootstrap, LOAD_PRODUCER)) {
      long start = System.currentTimeMillis();
      phaseStart.set(start);
      long startNanos = System.nanoTime();
      while (sent < target) {
        long elapsedNanos = System.nanoTime() - startNanos;
        long due = Math.min(target, (long) (rate * elapsedNanos / 1e9) + 1);
        while (sent < due) {
          int s = (int) (sent % options.series());
          long n = liveIndex + sent / options.series();
          producer.send(record(input, s, n, System.currentTimeMillis()));
          sent++;
        }
        long nextDueNanos = (long) (sent / rate * 1e9);
        long sleep = nextDueNanos - (System.nanoTime() - startNanos);
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(Math.min(sleep, 1_000_000));
        }
      }
      producer.flush();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (recorder.count() < sent && System.nanoTime() < deadline && failed.get() == null) {
      Thread.sleep(50);
    }
    CpuSnapshot cpuAfter = new CpuSnapshot();
    long loadCpu = threads.getCurrentThreadCpuTime() - loadCpuBefore
        + cpuAfter.threadsNamed(LOAD_PRODUCER) - cpuBefore.threadsNamed(LOAD_PRODUCER);
    double phaseSeconds = (System.nanoTime() - phaseNanos) / 1e9;
    consuming.set(false);
    consumer.join(10_000);
    long[] sorted = recorder.sorted();
    long[] sortedVisible = visible.sorted();
    Map<String, Object> latency = new LinkedHashMap<>();
    latency.put("offeredRecordsPerSecond", Math.round(rate));
    latency.put("records", sent);
    latency.put("received", sorted.length);
    latency.put("p50Millis", percentile(sorted, 0.50));
    latency.put("p99Millis", percentile(sorted, 0.99));
    latency.put("maxMillis", sorted.length == 0 ? null : sorted[sorted.length - 1]);
    // Until a read_committed consumer has it: the above plus the wait for the transaction's
    // commit, plus the consumer's own fetch and poll, which share the JVM's cores.
    latency.put("visibleP50Millis", percentile(sortedVisible, 0.50));
    latency.put("visibleP99Millis", percentile(sortedVisible, 0.99));
    latency.put("visibleMaxMillis",
        sortedVisible.length == 0 ? null : sortedVisible[sortedVisible.length - 1]);
    latency.put("visibleP99MillisBySecond", bySecond.stream()
        .map(r -> percentile(r.sorted(), 0.99)).toList());
    // Cores busy during the phase, by whom: what the harness itself takes from the two the
    // application and the broker share.
    Map<String, Object> cores = new LinkedHashMap<>();
    cores.put("application", round((cpuAfter.applicationNanos(applicationId)
        - cpuBefore.applicationNanos(applicationId)) / 1e9 / phaseSeconds));
    cores.put("loadGenerator", round(loadCpu / 1e9 / phaseSeconds));
    cores.put("latencyConsumer", round((cpuAfter.threadsNamed(LATENCY_CONSUMER)
        - cpuBefore.threadsNamed(LATENCY_CONSUMER)) / 1e9 / phaseSeconds));
    cores.put("process", round((cpuAfter.processNanos - cpuBefore.processNanos) / 1e9
        / phaseSeconds));
    cores.put("jitCompiler", round(cpuAfter.jitSeconds(cpuBefore) / phaseSeconds));
    cores.put("gcAndVm", round(cpuAfter.gcSeconds(cpuBefore) / phaseSeconds));
    latency.put("coresBusy", cores);
    say(String.format(Locale.ROOT, "%s: at %,.0f records/s offered, latency p50 %s ms, p99 %s ms,"
            + " max %s ms (%d of %d received); visible to read_committed p50 %s ms, p99 %s ms;"
            + " cores busy %s", c.name(), rate, latency.get("p50Millis"),
        latency.get("p99Millis"), latency.get("maxMillis"), sorted.length, sent,
        latency.get("visibleP50Millis"), latency.get("visibleP99Millis"), cores));
    return latency;
  }

  /**
   * The stream thread's own timings over the last measured windows (Kafka Streams' thread-level
   * metrics, averages and maxima of each loop part): where a latency tail is spent, on the
   * thread, in a commit, a poll, the processing or a punctuation.
   */
  private static Map<String, Object> streamThreadMillis(KafkaStreams streams) {
    Map<String, Object> timings = new java.util.TreeMap<>();
    streams.metrics().forEach((name, metric) -> {
      if ("stream-thread-metrics".equals(name.group())
          && name.name().matches("(commit|poll|process|punctuate)-latency-(avg|max)")
          && metric.metricValue() instanceof Double d && !d.isNaN()) {
        timings.put(name.name(), round(d));
      }
    });
    return timings;
  }

  private void consume(String bootstrap, String output, LatencyRecorder recorder,
      LatencyRecorder visible, List<LatencyRecorder> bySecond, AtomicBoolean consuming,
      CountDownLatch assigned, AtomicLong phaseStart) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(output).stream()
          .map(p -> new TopicPartition(output, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      assigned.countDown();
      while (consuming.get()) {
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
        long receivedAt = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          long sentAt = timestampOf(r.value());
          if (sentAt >= phaseStart.get()) {
            recorder.add(r.timestamp() - sentAt);
            visible.add(receivedAt - sentAt);
            int second = (int) Math.min(bySecond.size() - 1, (sentAt - phaseStart.get()) / 1000);
            bySecond.get(second).add(receivedAt - sentAt);
          }
        }
      }
    }
  }

  /**
   * The top-level {@code timestamp} of a metric or score record, read with the streaming parser
   * up to that field only: the consumer shares the cores it measures, so it reads no more of
   * each record than it needs.
   */
  private long timestampOf(byte[] value) {
    try (JsonParser p = json.getFactory().createParser(value)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Long.MIN_VALUE;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if ("timestamp".equals(name)) {
          return t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : Long.MIN_VALUE;
        }
        p.skipChildren();
      }
      return Long.MIN_VALUE;
    } catch (IOException e) {
      return Long.MIN_VALUE;
    }
  }

  private Topology passThrough(String input, String output, Progress progress) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.ByteArray())
            .withName("pass-source"))
        .mapValues(value -> {
          progress.record();
          return value;
        }, Named.as("pass-through"))
        .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()).withName("pass-sink"));
    return builder.build();
  }

  private Topology scorer(Case c, String input, String output, String alerts,
      String deadLetters, Progress progress) {
    TopologySettings settings = new TopologySettings(input, output, alerts, deadLetters,
        DEFAULT_BATCH_SIZE, maxBatchDelay(), DEFAULT_WINDOW_CAPACITY);
    ActiveModel active = new ActiveModel(c.model().model(),
        c.model().toBundle("bench", 1, Instant.now()).manifest(), Instant.now());
    Optional<ActiveModel> model = Optional.of(active);
    ScoringListener listener = new ScoringListener() {
      @Override
      public void onScore(ScoreStatus status, boolean anomaly, String modelName) {
        if (status == ScoreStatus.SCORED) {
          progress.scored.incrementAndGet();
          if (anomaly) {
            progress.anomalies.incrementAndGet();
          }
        }
        progress.record();
      }

      @Override
      public void onDeadLetter(DeadLetterReason reason) {
        progress.record();
      }
    };
    return ScoringTopology.build(new StreamsBuilder(), settings,
        ModelSource.single("bench", () -> model), listener,
        Clock.systemUTC());
  }

  /** Backlog of the unmeasured warm-up drain. */
  private long warmUpRecords() {
    return Math.min(options.records(), WARM_UP_RECORDS);
  }

  private Duration maxBatchDelay() {
    return options.maxBatchDelay() != null ? options.maxBatchDelay() : DEFAULT_MAX_BATCH_DELAY;
  }

  private Properties streamsProperties(String bootstrap, String applicationId, Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, options.guarantee());
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    if (options.commitInterval() != null) {
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, options.commitInterval().toMillis());
    }
    // The scorer's own defaults, for both topologies, so only the processing differs.
    StreamsTuning.applyDefaults(props);
    return props;
  }

  private ProducerRecord<String, byte[]> record(String topic, int series, long n, long ts) {
    String key = seriesId(series);
    byte[] value = metricCodec.encode(new MetricRecord(key, ts, Map.of(FEATURE,
        value(series, n))));
    return new ProducerRecord<>(topic, null, ts, key, value);
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    return producer(bootstrap, null);
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap, String clientId) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    if (clientId != null) {
      // Names the producer's sender thread, whose CPU the latency phase reports.
      props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    }
    props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /** Sum of the application's committed offsets on the input topic. */
  private static long committedOffsets(Admin admin, String applicationId, String input)
      throws Exception {
    long sum = 0;
    for (Map.Entry<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> e : admin
        .listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get()
        .entrySet()) {
      if (e.getKey().topic().equals(input) && e.getValue() != null) {
        sum += e.getValue().offset();
      }
    }
    return sum;
  }

  /** Bytes of the window store on disk (after close, so flushed) and in its changelog, per key. */
  private Map<String, Object> stateSize(Admin admin, String applicationId, Path stateDir)
      throws Exception {
    long disk = 0;
    try (Stream<Path> files = Files.walk(stateDir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p) && p.toString().contains(
            "/rocksdb/" + ScoringTopology.WINDOW_STORE + "/")) {
          disk += Files.size(p);
        }
      }
    }
    String changelog = applicationId + "-" + ScoringTopology.WINDOW_STORE + "-changelog";
    long changelogBytes = 0;
    List<Integer> brokers = admin.describeCluster().nodes().get().stream()
        .map(org.apache.kafka.common.Node::id).toList();
    for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions()
        .get().values()) {
      for (LogDirDescription d : dirs.values()) {
        for (Map.Entry<TopicPartition, ReplicaInfo> e : d.replicaInfos().entrySet()) {
          if (e.getKey().topic().equals(changelog)) {
            changelogBytes += e.getValue().size();
          }
        }
      }
    }
    int keys = (int) Math.min(options.series(), options.records());
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("keys", keys);
    state.put("rocksdbBytes", disk);
    state.put("rocksdbBytesPerKey", Math.round((double) disk / keys));
    state.put("changelogBytes", changelogBytes);
    state.put("changelogBytesPerKey", Math.round((double) changelogBytes / keys));
    say(String.format(Locale.ROOT,
        "window store: %,d keys, %,d bytes on disk (%,d per key), changelog %,d bytes (%,d "
            + "per key, uncompacted)", keys, disk, disk / keys, changelogBytes,
        changelogBytes / keys));
    return state;
  }

  private Map<String, Object> summary(Instant started, List<Map<String, Object>> results) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("command", "anomaly bench");
    summary.put("startedAt", started.toString());
    summary.put("seconds", Duration.between(started, Instant.now()).toSeconds());
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    machine.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
    machine.put("java", System.getProperty("java.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    machine.put("loadAverageAtEnd", round(os.getSystemLoadAverage()));
    machine.put("ompNumThreads", System.getenv("OMP_NUM_THREADS"));
    summary.put("machine", machine);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("records", options.records());
    settings.put("warmUpRecords", warmUpRecords());
    settings.put("warmUpRounds", options.warmUpRounds());
    settings.put("passThroughRecords", options.records() * PASS_THROUGH_BACKLOG_FACTOR);
    settings.put("series", options.series());
    settings.put("partitions", options.partitions());
    settings.put("processingGuarantee", options.guarantee());
    settings.put("streamThreads", 1);
    settings.put("commitIntervalMillis", options.commitInterval() != null
        ? options.commitInterval().toMillis() : StreamsTuning.COMMIT_INTERVAL.toMillis());
    settings.put("batchSize", DEFAULT_BATCH_SIZE);
    settings.put("maxBatchDelayMillis", maxBatchDelay().toMillis());
    settings.put("windowCapacity", DEFAULT_WINDOW_CAPACITY);
    settings.put("latencySeconds", options.latencyDuration().toSeconds());
    settings.put("offeredRecordsPerSecond",
        options.offeredRate() > 0 ? options.offeredRate() : "half of each case's drain rate");
    summary.put("settings", settings);
    summary.put("cases", results);
    Map<String, Object> base = results.stream()
        .filter(r -> PASS_THROUGH.equals(r.get("case"))).findFirst().orElse(null);
    if (base != null) {
      Map<String, Object> ratios = new LinkedHashMap<>();
      double baseRate = ((Number) base.get("recordsPerSecond")).doubleValue();
      double baseCpu = cpu(base);
      for (Map<String, Object> r : results) {
        if (r == base) {
          continue;
        }
        Map<String, Object> ratio = new LinkedHashMap<>();
        ratio.put("throughput", round(((Number) r.get("recordsPerSecond")).doubleValue()
            / baseRate));
        ratio.put("cpuPerRecord", round(cpu(r) / baseCpu));
        ratios.put((String) r.get("case"), ratio);
      }
      summary.put("scorerToPassThrough", ratios);
    }
    return summary;
  }

  @SuppressWarnings("unchecked")
  private static double cpu(Map<String, Object> result) {
    return ((Number) ((Map<String, Object>) result.get("cpuSecondsPerMillionRecords"))
        .get("application")).doubleValue();
  }

  private static long heapUsed(List<MemoryPoolMXBean> pools) {
    return pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
  }

  private static Long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return null;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private void say(String line) {
    out.println(line);
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary directory; the OS cleans it up eventually.
    }
  }

  /** CPU time of every live thread, and of the process, at one instant. */
  private final class CpuSnapshot {
    final Map<Long, String> names = new HashMap<>();
    final Map<Long, Long> nanos = new HashMap<>();
    final long processNanos;
    final JvmThreadCpu jvm;

    CpuSnapshot() {
      for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (info != null) {
          long t = threads.getThreadCpuTime(info.getThreadId());
          if (t >= 0) {
            names.put(info.getThreadId(), info.getThreadName());
            nanos.put(info.getThreadId(), t);
          }
        }
      }
      processNanos = os.getProcessCpuTime();
      jvm = JvmThreadCpu.now();
    }

    /** JIT compilers' CPU seconds since {@code earlier}, or -1 where not known. */
    double jitSeconds(CpuSnapshot earlier) {
      return jvm.jitNanos < 0 || earlier.jvm.jitNanos < 0 ? -1
          : (jvm.jitNanos - earlier.jvm.jitNanos) / 1e9;
    }

    /** Garbage collector's and VM thread's CPU seconds since {@code earlier}, or -1. */
    double gcSeconds(CpuSnapshot earlier) {
      return jvm.gcNanos < 0 || earlier.jvm.gcNanos < 0 ? -1
          : (jvm.gcNanos - earlier.jvm.gcNanos) / 1e9;
    }

    /** CPU of the threads whose name contains {@code part}. */
    long threadsNamed(String part) {
      long sum = 0;
      for (Map.Entry<Long, String> e : names.entrySet()) {
        if (e.getValue().contains(part)) {
          sum += nanos.get(e.getKey());
        }
      }
      return sum;
    }

    /** CPU of the threads Kafka Streams runs for this application (stream, producer, ...). */
    long applicationNanos(String applicationId) {
      // Kafka Streams puts the application id in every thread name it creates.
      return threadsNamed(applicationId);
    }
  }

  /** Counts outputs; notes time and CPU at the first output and when the backlog is committed. */
  private final class Progress {
    final AtomicLong count = new AtomicLong();
    /** Backlog and live records that went through the model (not warming up, not dead). */
    final AtomicLong scored = new AtomicLong();
    /** Of those, the ones over the model's threshold. */
    final AtomicLong anomalies = new AtomicLong();
    volatile long firstNanos;
    volatile long lastNanos;
    volatile CpuSnapshot firstCpu;
    volatile CpuSnapshot lastCpu;

    void record() {
      if (count.incrementAndGet() == 1) {
        firstNanos = System.nanoTime();
        firstCpu = new CpuSnapshot();
      }
    }

    void finished() {
      lastNanos = System.nanoTime();
      lastCpu = new CpuSnapshot();
    }
  }

  /** Latencies in milliseconds, appended by the consumer thread. */
  private static final class LatencyRecorder {
    private long[] values;
    private int size;

    LatencyRecorder(int expected) {
      values = new long[Math.max(16, expected)];
    }

    synchronized void add(long millis) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = millis;
    }

    synchronized int count() {
      return size;
    }

    synchronized long[] sorted() {
      long[] out = Arrays.copyOf(values, size);
      Arrays.sort(out);
      return out;
    }
  }
}
