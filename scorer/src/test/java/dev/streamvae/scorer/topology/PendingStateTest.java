package dev.streamvae.scorer.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.ActiveModel;
import dev.streamvae.scorer.model.ModelSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compact pending state ({@link ScoringProcessor}'s class comment says why it is correct),
 * tested where it is delicate: the stores' contents between any two records are what a commit
 * writes and a restore brings back, so "crash" here means: copy both stores at a point, carry on
 * a little (work that the aborted transaction loses), then start a new processor on the copies
 * and feed it the input from that point. Every record must come out exactly once, with exactly
 * the outcome an uninterrupted run gives it, and each SCORED record must be scored with the
 * window the record-at-a-time rule gives it (checked against the model scoring that window
 * alone).
 */
class PendingStateTest {

  /** Smaller than a batch of one series' records, larger than the model's window. */
  static final int CAPACITY = BadInputTopologyTest.WINDOW + 2;
  static final int BATCH = 8;
  static final long STEP = BadInputTopologyTest.STEP;
  static final long T0 = BadInputTopologyTest.T0;

  private static ActiveModel model;

  @BeforeAll
  static void train() {
    model = BadInputTopologyTest.trainSmallModel();
  }

  /** One input record. */
  record In(String series, long timestamp, Map<String, Double> values) {
    byte[] bytes() {
      return JsonCodec.metricRecord().encode(new MetricRecord(null, timestamp, values));
    }
  }

  /** What came out for one input, comparable across runs. */
  record Out(String series, long timestamp, ScoreRecord score, String deadLetterReason) {}

  /**
   * Series "a" sends bursts longer than the window's capacity within one batch; "b" changes its
   * metric set while records are pending (and changes it back); "c" sends one record out of
   * order; "d" lacks the model's metric (dead-lettered at scoring time).
   */
  static List<In> input() {
    List<In> in = new ArrayList<>();
    Random random = new Random(7);
    Map<String, Integer> step = new HashMap<>();
    for (int round = 0; round < 6; round++) {
      for (int k = 0; k < 11; k++) {
        In a = next("a", step, random, List.of("value"));
        if (round >= 2 && k >= 4 && k < 9) {
          // A persisting anomaly that varies: alerts depend on the stored recent scores.
          a = new In("a", a.timestamp(), Map.of("value", a.values().get("value") + 6 + 3 * k));
        }
        in.add(a);
      }
      in.add(next("b", step, random, round % 3 == 1 ? List.of("value", "other")
          : List.of("value")));
      in.add(next("b", step, random, round % 3 == 1 ? List.of("value", "other")
          : List.of("value")));
      In c = next("c", step, random, List.of("value"));
      in.add(c);
      if (round == 3) {
        in.add(new In("c", c.timestamp() - 1, Map.of("value", 10.0)));
      }
      in.add(next("d", step, random, List.of("other")));
    }
    return in;
  }

  private static In next(String series, Map<String, Integer> step, Random random,
      List<String> features) {
    int i = step.merge(series, 1, Integer::sum);
    Map<String, Double> values = new LinkedHashMap<>();
    for (String f : features) {
      values.put(f, BadInputTopologyTest.normal(i) + 0.3 * random.nextGaussian());
    }
    return new In(series, T0 + i * STEP, values);
  }

  /** A processor over its own stores, as a task owns them. */
  static final class Task {
    final MockProcessorContext<String, ScoringOutcome> context = new MockProcessorContext<>();
    final KeyValueStore<String, byte[]> windows = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(ScoringTopology.WINDOW_STORE), Serdes.String(),
            Serdes.ByteArray())
        .withLoggingDisabled().build();
    final KeyValueStore<Long, byte[]> pending = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(ScoringTopology.PENDING_STORE), Serdes.Long(),
            Serdes.ByteArray())
        .withLoggingDisabled().build();
    final ScoringProcessor processor;

    /** Starts on a copy of {@code restored}'s stores, or on empty ones. */
    Task(Task restored) {
      windows.init(context.getStateStoreContext(), windows);
      pending.init(context.getStateStoreContext(), pending);
      if (restored != null) {
        copy(restored.windows, windows);
        copy(restored.pending, pending);
      }
      context.addStateStore(windows);
      context.addStateStore(pending);
      TopologySettings settings = new TopologySettings("metrics", "scores", "alerts", "dlq",
          BATCH, Duration.ofMillis(100), CAPACITY);
      processor = new ScoringProcessor(settings, ModelSource.single("m", () -> Optional.of(model)),
          ScoringListener.NONE, Clock.fixed(BadInputTopologyTest.NOW, ZoneOffset.UTC));
      processor.init(context);
    }

    void send(In in) {
      processor.process(new Record<>(in.series(), in.bytes(), in.timestamp()));
    }

    void flushByTime() {
      context.scheduledPunctuators().get(0).getPunctuator().punctuate(0);
    }

    List<Out> outputs() {
      List<Out> out = new ArrayList<>();
      for (var forward : context.forwarded()) {
        Record<? extends String, ? extends ScoringOutcome> r = forward.record();
        if (r.value() instanceof ScoringOutcome.Scored s) {
          out.add(new Out(r.key(), s.record().timestamp(), s.record(), null));
        } else {
          Header reason = r.headers().lastHeader(DeadLetterReason.HEADER_REASON);
          byte[] payload = ((ScoringOutcome.DeadLetter) r.value()).payload();
          long timestamp;
          try {
            timestamp = JsonCodec.metricRecord().decode(payload).timestamp();
          } catch (dev.streamvae.schemas.SchemaException e) {
            throw new AssertionError(e);
          }
          out.add(new Out(r.key(), timestamp, null,
              new String(reason.value(), StandardCharsets.UTF_8)));
        }
      }
      return out;
    }

    private static <K> void copy(KeyValueStore<K, byte[]> from, KeyValueStore<K, byte[]> to) {
      try (KeyValueIterator<K, byte[]> it = from.all()) {
        while (it.hasNext()) {
          KeyValue<K, byte[]> kv = it.next();
          to.put(kv.key, kv.value.clone());
        }
      }
    }
  }

  private static List<Out> uninterrupted(List<In> in) {
    Task task = new Task(null);
    in.forEach(task::send);
    task.flushByTime();
    return task.outputs();
  }

  @Test
  void anUninterruptedRunScoresEveryRecordWithItsRecordAtATimeWindow() {
    List<In> in = input();
    List<Out> out = uninterrupted(in);
    assertThat(out).hasSize(in.size());
    // Dead letters at acceptance leave before the batch they arrived in: match by record.
    Map<String, Out> byRecord = new HashMap<>();
    for (Out o : out) {
      assertThat(byRecord.put(o.series() + "@" + o.timestamp(), o)).as("one output each")
          .isNull();
    }
    Map<String, List<float[]>> history = new HashMap<>();
    Map<String, List<String>> features = new HashMap<>();
    int scored = 0;
    for (int i = 0; i < in.size(); i++) {
      In record = in.get(i);
      Out result = byRecord.get(record.series() + "@" + record.timestamp());
      assertThat(result).as("record %d answered", i).isNotNull();
      List<String> names = new ArrayList<>(new java.util.TreeMap<>(record.values()).keySet());
      List<float[]> rows = history.computeIfAbsent(record.series(), s -> new ArrayList<>());
      if (!names.equals(features.get(record.series()))) {
        rows.clear();
        features.put(record.series(), names);
      } else if (!rows.isEmpty() && "c".equals(record.series())
          && record.timestamp() < in.get(lastIndexOf(in, "c", i)).timestamp()) {
        assertThat(result.deadLetterReason()).isEqualTo(DeadLetterReason.OUT_OF_ORDER.code());
        continue;
      }
      float[] row = new float[names.size()];
      for (int f = 0; f < row.length; f++) {
        row[f] = record.values().get(names.get(f)).floatValue();
      }
      rows.add(row);
      if (!names.contains("value")) {
        assertThat(result.deadLetterReason())
            .isEqualTo(DeadLetterReason.MISSING_FEATURE.code());
        continue;
      }
      int w = BadInputTopologyTest.WINDOW;
      if (Math.min(rows.size(), CAPACITY) < w) {
        assertThat(result.score().status()).as("record %d", i).isEqualTo(ScoreStatus.WARMING_UP);
        continue;
      }
      float[] window = new float[w];
      int column = names.indexOf("value");
      for (int t = 0; t < w; t++) {
        window[t] = rows.get(rows.size() - w + t)[column];
      }
      double expected = model.model().score(new float[][] {window}, new long[] {0})
          .logProbability(0);
      assertThat(result.score().status()).as("record %d", i).isEqualTo(ScoreStatus.SCORED);
      assertThat(result.score().logProbability()).as("record %d", i)
          .isCloseTo(expected, within(1e-4 * Math.max(1, Math.abs(expected))));
      scored++;
    }
    assertThat(scored).as("most records scored").isGreaterThan(in.size() / 2);
  }

  private static int lastIndexOf(List<In> in, String series, int before) {
    for (int j = before - 1; j >= 0; j--) {
      if (in.get(j).series().equals(series)) {
        return j;
      }
    }
    return -1;
  }

  @Test
  void aRestoreAtAnyPointMidBatchLosesAndDuplicatesNothingAndKeepsEveryWindow() {
    List<In> in = input();
    List<Out> expected = uninterrupted(in);
    // The comparison covers alert decisions both ways: anomalies that alert and anomalies that
    // do not, because an earlier record of the series (perhaps in an earlier batch) scored higher.
    assertThat(expected).filteredOn(o -> o.score() != null && Boolean.TRUE.equals(
        o.score().alert())).hasSizeGreaterThan(1);
    assertThat(expected).filteredOn(o -> o.score() != null && o.score().anomaly()
        && Boolean.FALSE.equals(o.score().alert())).hasSizeGreaterThan(1);
    // And surprises, which depend on every earlier score of the series under the model.
    assertThat(expected).filteredOn(o -> o.score() != null
            && o.score().status() == ScoreStatus.SCORED)
        .isNotEmpty().allSatisfy(o -> assertThat(o.score().surprise()).isNotNull());
    for (int crashAt = 1; crashAt < in.size(); crashAt++) {
      Task first = new Task(null);
      in.subList(0, crashAt).forEach(first::send);
      List<Out> committed = first.outputs();
      Task restored = new Task(first);
      // Work after the last commit is lost with its aborted transaction.
      in.subList(crashAt, Math.min(in.size(), crashAt + 3)).forEach(first::send);
      in.subList(crashAt, in.size()).forEach(restored::send);
      restored.flushByTime();
      List<Out> all = new ArrayList<>(committed);
      all.addAll(restored.outputs());
      assertThat(all).as("outputs with a crash after record %d", crashAt)
          .usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(expected);
    }
  }

  @Test
  void twoRestoresInARowWithoutAFlushBetweenKeepEveryPendingRecord() {
    List<In> in = input();
    List<Out> expected = uninterrupted(in);
    Task first = new Task(null);
    in.subList(0, 13).forEach(first::send);
    Task second = new Task(first);
    in.subList(13, 14).forEach(second::send);
    Task third = new Task(second);
    in.subList(14, in.size()).forEach(third::send);
    third.flushByTime();
    List<Out> all = new ArrayList<>(first.outputs());
    all.addAll(second.outputs());
    all.addAll(third.outputs());
    assertThat(all).usingRecursiveFieldByFieldElementComparator()
        .containsExactlyElementsOf(expected);
  }

  @Test
  void aFlushWritesEachWindowOnceAndLeavesNoLivePendingEntryBehind() {
    Task task = new Task(null);
    List<In> in = input().subList(0, 11);
    in.subList(0, 5).forEach(task::send);
    assertThat(task.windows.get("a")).as("the window store holds emitted records only")
        .isNull();
    task.flushByTime();
    SeriesWindow window = SeriesWindow.decode(task.windows.get("a"));
    assertThat(window.filled()).isEqualTo(5);
    assertThat(window.lastTimestamp()).isEqualTo(in.get(4).timestamp());
    // A restore now finds nothing to score again.
    Task restored = new Task(task);
    restored.flushByTime();
    assertThat(restored.outputs()).isEmpty();
  }

  @Test
  void aFormatOneEntryFromBeforeAnUpgradeIsScoredWithItsOwnWindowAndNotAppendedTwice() {
    List<In> in = input().subList(0, 6);
    // The state the previous version left: every record in the window, the last one pending.
    Task old = new Task(null);
    in.subList(0, 5).forEach(old::send);
    old.flushByTime();
    List<Out> expected = new ArrayList<>(uninterrupted(in.subList(0, 6)).subList(5, 6));
    SeriesWindow window = SeriesWindow.decode(old.windows.get("a"));
    float[] row = {in.get(5).values().get("value").floatValue()};
    window.append(in.get(5).timestamp(), row);
    old.windows.put("a", window.encode());
    old.pending.put(41L, formatOneEntry("a", in.get(5).timestamp(), in.get(5).timestamp(),
        List.of("value"), window.snapshot()));

    Task upgraded = new Task(old);
    upgraded.flushByTime();
    // Its window is its own copy, without the series' score moments: it gets no surprise, and
    // its alert is its anomaly, as before the upgrade; the rest is what the uninterrupted run has.
    assertThat(upgraded.outputs()).usingRecursiveFieldByFieldElementComparatorIgnoringFields(
            "score.surprise", "score.alert")
        .containsExactlyElementsOf(expected);
    assertThat(upgraded.outputs()).allSatisfy(o -> {
      assertThat(o.score().surprise()).isNull();
      assertThat(o.score().alert()).isEqualTo(o.score().anomaly());
    });
    assertThat(upgraded.pending.get(41L)).as("deleted once emitted").isNull();
    assertThat(SeriesWindow.decode(upgraded.windows.get("a")).filled()).isEqualTo(6);
  }

  @Test
  void aRestoredRecordWhoseStoredWindowIsUnreadableIsDeadLetteredNotThrown() {
    List<In> in = input().subList(0, 14);
    Task first = new Task(null);
    in.subList(0, 9).forEach(first::send);
    first.windows.put("a", new byte[] {99});
    Task restored = new Task(first);
    in.subList(9, 14).forEach(restored::send);
    restored.flushByTime();
    List<Out> out = restored.outputs();
    assertThat(out).as("the restored record and the five after it").hasSize(6);
    assertThat(out).filteredOn(o -> o.series().equals("a")).isNotEmpty()
        .allMatch(o -> DeadLetterReason.PROCESSING_FAILED.code().equals(o.deadLetterReason()));
    assertThat(out).filteredOn(o -> !o.series().equals("a")).isNotEmpty()
        .allMatch(o -> o.score() != null);
  }

  /** A pending entry as the previous version wrote it: format 1, with its whole window. */
  static byte[] formatOneEntry(String series, long timestamp, long recordTimestamp,
      List<String> features, float[] window) {
    byte[] seriesBytes = series.getBytes(StandardCharsets.UTF_8);
    byte[][] names = SeriesWindow.encodeNames(features);
    ByteBuffer buf = ByteBuffer.allocate(1 + 4 + seriesBytes.length + 8 + 8
        + SeriesWindow.namesSize(names) + 4 + window.length * 4);
    buf.put((byte) 1).putInt(seriesBytes.length).put(seriesBytes).putLong(timestamp)
        .putLong(recordTimestamp);
    SeriesWindow.putNames(buf, names);
    buf.putInt(window.length);
    buf.asFloatBuffer().put(window);
    return buf.array();
  }
}
