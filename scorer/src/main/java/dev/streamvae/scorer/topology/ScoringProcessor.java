package dev.streamvae.scorer.topology;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.SchemaException;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.ActiveModel;
import dev.streamvae.scorer.model.ModelSource;
import dev.streamvae.vae.ScoreBatch;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses each input record, appends it to its series' window, and queues it; queued records are
 * scored together when the batch is full or its wall-clock delay has passed. Every input record
 * leaves as exactly one outcome: a score record (SCORED, WARMING_UP or NO_MODEL) or a dead letter.
 *
 * <p>A queued record is also written to the pending store, which is changelogged and committed
 * in the same transaction as the input offsets and the outputs. After a crash the store is
 * restored and the records it holds are scored on the first flush, so micro-batching neither
 * loses nor (under exactly-once) duplicates a score.
 *
 * <p>Each series is routed to a model name ({@link ModelSource#route}); a series with no route,
 * or whose model has no active version yet, is answered NO_MODEL (with the routed name, if any),
 * never dropped. A batch is scored with the model each name has when the batch is flushed; a
 * model is an immutable object, so no record is scored by a half-loaded model.
 */
final class ScoringProcessor implements Processor<String, byte[], String, ScoringOutcome> {

  private static final Logger LOG = LoggerFactory.getLogger(ScoringProcessor.class);
  /** {@link ScoringListener#onNoModel} reason: no routing rule matches the series. */
  static final String NO_ROUTE = "no_route";
  /** {@link ScoringListener#onNoModel} reason: the routed model has no active version yet. */
  static final String NO_ACTIVE_VERSION = "no_active_version";

  private final TopologySettings settings;
  private final ModelSource models;
  private final ScoringListener listener;
  private final Clock clock;
  private final JsonCodec<MetricRecord> metricCodec = JsonCodec.metricRecord();

  private ProcessorContext<String, ScoringOutcome> context;
  private KeyValueStore<String, byte[]> windows;
  private KeyValueStore<Long, byte[]> pendingStore;
  private final List<KeyValue<Long, PendingRecord>> pending = new ArrayList<>();
  private long nextSequence;

  ScoringProcessor(TopologySettings settings, ModelSource models, ScoringListener listener,
      Clock clock) {
    this.settings = settings;
    this.models = models;
    this.listener = listener;
    this.clock = clock;
  }

  @Override
  public void init(ProcessorContext<String, ScoringOutcome> context) {
    this.context = context;
    this.windows = context.getStateStore(ScoringTopology.WINDOW_STORE);
    this.pendingStore = context.getStateStore(ScoringTopology.PENDING_STORE);
    // Runs after restoration: whatever is here was accepted before a crash or a rebalance and
    // not yet emitted in a committed transaction.
    try (KeyValueIterator<Long, byte[]> it = pendingStore.all()) {
      while (it.hasNext()) {
        KeyValue<Long, byte[]> kv = it.next();
        pending.add(KeyValue.pair(kv.key, PendingRecord.decode(kv.value)));
        nextSequence = Math.max(nextSequence, kv.key + 1);
      }
    }
    if (!pending.isEmpty()) {
      LOG.info("task {}: {} restored records awaiting their scores", context.taskId(),
          pending.size());
    }
    context.schedule(settings.maxBatchDelay(), PunctuationType.WALL_CLOCK_TIME, now -> flush());
  }

  @Override
  public void process(Record<String, byte[]> record) {
    try {
      accept(record);
    } catch (RuntimeException e) {
      // Thrown again on every retry, an error here would stop the stream thread for good: the
      // record is answered instead, and the error logged once.
      LOG.warn("record {} could not be accepted", origin(), e);
      deadLetter(record, DeadLetterReason.PROCESSING_FAILED, e.toString());
    }
  }

  /** Validates one record and queues it for scoring, or dead-letters it saying why. */
  private void accept(Record<String, byte[]> record) {
    InputLimits limits = settings.limits();
    String series = record.key();
    if (series == null || series.isBlank()) {
      deadLetter(record, DeadLetterReason.MISSING_KEY, "records must be keyed by series id");
      return;
    }
    if (series.indexOf('\uFFFD') >= 0) {
      deadLetter(record, DeadLetterReason.INVALID_KEY,
          "the key is not valid UTF-8 (it decodes to U+FFFD replacement characters)");
      return;
    }
    long size = (long) series.length() * 3 + (record.value() == null ? 0 : record.value().length)
        + headerBytes(record.headers());
    if (size > limits.maxRecordBytes()) {
      // The cheap bound above overestimates non-ASCII keys; measure before refusing.
      long exact = size - (long) series.length() * 3
          + series.getBytes(StandardCharsets.UTF_8).length;
      if (exact > limits.maxRecordBytes()) {
        tooLarge(record, exact);
        return;
      }
    }
    MetricRecord metric;
    try {
      metric = metricCodec.decode(record.value());
    } catch (SchemaException e) {
      deadLetter(record, DeadLetterReason.UNPARSEABLE, e.getMessage());
      return;
    }
    if (metric.series() != null && !metric.series().equals(series)) {
      deadLetter(record, DeadLetterReason.SERIES_KEY_MISMATCH,
          "value names series '" + metric.series() + "' but the key is '" + series + "'");
      return;
    }
    if (metric.values().size() > limits.maxFeatures()) {
      deadLetter(record, DeadLetterReason.TOO_MANY_FEATURES, metric.values().size()
          + " metrics; at most " + limits.maxFeatures() + " (scorer.max-features)");
      return;
    }
    for (Map.Entry<String, Double> e : metric.values().entrySet()) {
      if (e.getValue() == null || !Double.isFinite(e.getValue())) {
        deadLetter(record, DeadLetterReason.NON_FINITE_VALUE,
            "'" + e.getKey() + "' is " + e.getValue());
        return;
      }
      if (!Float.isFinite(e.getValue().floatValue())) {
        deadLetter(record, DeadLetterReason.VALUE_OUT_OF_RANGE,
            "'" + e.getKey() + "' is " + e.getValue() + ", beyond a 32-bit float");
        return;
      }
    }
    long latestAccepted = clock.millis() + limits.maxFutureSkew().toMillis();
    if (metric.timestamp() < 0 || metric.timestamp() > latestAccepted) {
      deadLetter(record, DeadLetterReason.TIMESTAMP_OUT_OF_RANGE, "timestamp "
          + metric.timestamp() + " is outside [0, " + latestAccepted
          + "] (the scorer's clock plus scorer.max-future-skew)");
      return;
    }
    List<String> features = List.copyOf(metric.values().keySet());
    byte[] stored = windows.get(series);
    SeriesWindow window = stored == null ? null : SeriesWindow.decode(stored);
    // A series whose metric set changes starts a new window: old and new rows do not line up.
    if (window == null || !window.features().equals(features)
        || window.capacity() != settings.windowCapacity()) {
      window = new SeriesWindow(features, settings.windowCapacity());
    } else if (metric.timestamp() < window.lastTimestamp()) {
      deadLetter(record, DeadLetterReason.OUT_OF_ORDER, "timestamp " + metric.timestamp()
          + " is older than the series' newest " + window.lastTimestamp());
      return;
    }
    float[] row = new float[features.size()];
    for (int i = 0; i < row.length; i++) {
      row[i] = metric.values().get(features.get(i)).floatValue();
    }
    window.append(metric.timestamp(), row);
    windows.put(series, window.encode());

    PendingRecord entry = new PendingRecord(series, metric.timestamp(), record.timestamp(),
        features, window.snapshot());
    long sequence = nextSequence++;
    pendingStore.put(sequence, entry.encode());
    pending.add(KeyValue.pair(sequence, entry));
    if (pending.size() >= settings.batchSize()) {
      flush();
    }
  }

  /**
   * Scores and emits everything queued, in arrival order. Each record goes to the model its series
   * is routed to; each model name is looked up once per flush, so its records in the batch are
   * scored by one model, in one call per name. A name with a shadow candidate has its records
   * scored by the candidate too, and those scores go to the shadow topic.
   */
  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    long scoredAt = clock.millis();
    int n = pending.size();
    ScoringOutcome[] outcomes = new ScoringOutcome[n];
    String[] deadLetterDetail = new String[n];
    DeadLetterReason[] deadLetterReason = new DeadLetterReason[n];
    String[] routedTo = new String[n];
    String[] noModelReason = new String[n];
    ScoringOutcome[] shadowOutcomes = null;
    Map<String, Optional<ActiveModel>> activeByName = new HashMap<>();
    Map<String, List<Integer>> byName = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      PendingRecord p = pending.get(i).value;
      String name = models.route(p.series()).orElse(null);
      routedTo[i] = name;
      Optional<ActiveModel> active = name == null ? Optional.empty()
          : activeByName.computeIfAbsent(name, models::active);
      if (active.isEmpty()) {
        noModelReason[i] = name == null ? NO_ROUTE : NO_ACTIVE_VERSION;
        outcomes[i] = new ScoringOutcome.Scored(ScoreRecord.unscored(p.series(), p.timestamp(),
            ScoreStatus.NO_MODEL, name, null, scoredAt));
        continue;
      }
      byName.computeIfAbsent(name, k -> new ArrayList<>()).add(i);
    }
    for (Map.Entry<String, List<Integer>> e : byName.entrySet()) {
      scoreWithModel(activeByName.get(e.getKey()).get(), e.getValue(), scoredAt, outcomes,
          deadLetterReason, deadLetterDetail);
      Optional<ActiveModel> shadow = models.shadow(e.getKey());
      if (shadow.isPresent()) {
        if (shadowOutcomes == null) {
          shadowOutcomes = new ScoringOutcome[n];
        }
        // A record the candidate cannot score still has its real outcome; only the comparison
        // misses it, so the candidate's failures are not dead-lettered.
        scoreWithModel(shadow.get(), e.getValue(), scoredAt, shadowOutcomes,
            new DeadLetterReason[n], new String[n]);
      }
    }
    for (int i = 0; i < n; i++) {
      KeyValue<Long, PendingRecord> kv = pending.get(i);
      PendingRecord p = kv.value;
      if (outcomes[i] instanceof ScoringOutcome.Scored scored) {
        ScoreRecord s = scored.record();
        context.forward(new Record<>(p.series(), outcomes[i], p.recordTimestamp()));
        listener.onScore(s.status(), s.anomaly(), s.modelName());
        listener.onScoreRecord(s, values(p));
        if (noModelReason[i] != null) {
          listener.onNoModel(routedTo[i], noModelReason[i]);
        }
        if (s.status() == ScoreStatus.SCORED) {
          listener.onEndToEndLatency(scoredAt - p.timestamp());
        }
      } else {
        DeadLetterReason reason = deadLetterReason[i] == null ? DeadLetterReason.SCORING_FAILED
            : deadLetterReason[i];
        emitDeadLetter(p.series(), rebuild(p), p.recordTimestamp(), new RecordHeaders(),
            reason, deadLetterDetail[i] == null ? "not scored" : deadLetterDetail[i], "state");
      }
      if (shadowOutcomes != null && shadowOutcomes[i] instanceof ScoringOutcome.Scored shadowed) {
        context.forward(new Record<>(p.series(),
            new ScoringOutcome.Shadow(shadowed.record()), p.recordTimestamp()));
        listener.onShadowScore(routedTo[i]);
      }
      pendingStore.delete(kv.key);
    }
    pending.clear();
  }

  private void scoreWithModel(ActiveModel active, List<Integer> indices, long scoredAt,
      ScoringOutcome[] outcomes, DeadLetterReason[] reasons, String[] details) {
    List<String> modelFeatures = active.model().features();
    int w = active.model().windowLength();
    int f = modelFeatures.size();
    List<Integer> toScore = new ArrayList<>();
    List<float[]> windowsToScore = new ArrayList<>();
    for (int i : indices) {
      PendingRecord p = pending.get(i).value;
      int[] columns = columns(p.features(), modelFeatures);
      if (columns == null) {
        reasons[i] = DeadLetterReason.MISSING_FEATURE;
        details[i] = "model '" + active.name() + "' v" + active.version() + " reads "
            + modelFeatures + "; the series has " + p.features();
        continue;
      }
      if (p.rows() < w) {
        outcomes[i] = new ScoringOutcome.Scored(ScoreRecord.unscored(p.series(), p.timestamp(),
            ScoreStatus.WARMING_UP, active.name(), active.version(), scoredAt));
        continue;
      }
      float[] x = new float[w * f];
      int firstRow = p.rows() - w;
      int width = p.features().size();
      for (int t = 0; t < w; t++) {
        for (int c = 0; c < f; c++) {
          x[t * f + c] = p.window()[(firstRow + t) * width + columns[c]];
        }
      }
      toScore.add(i);
      windowsToScore.add(x);
    }
    if (toScore.isEmpty()) {
      return;
    }
    try {
      score(active, scoredAt, toScore, windowsToScore, outcomes, reasons, details);
    } catch (RuntimeException batchFailure) {
      // Find the culprits one by one so one bad window does not dead-letter its whole batch.
      LOG.warn("batch of {} failed to score ({}); scoring one by one", toScore.size(),
          batchFailure.toString());
      for (int j = 0; j < toScore.size(); j++) {
        try {
          score(active, scoredAt, List.of(toScore.get(j)), List.of(windowsToScore.get(j)),
              outcomes, reasons, details);
        } catch (RuntimeException e) {
          reasons[toScore.get(j)] = DeadLetterReason.SCORING_FAILED;
          details[toScore.get(j)] = e.toString();
        }
      }
    }
  }

  private void score(ActiveModel active, long scoredAt, List<Integer> indices,
      List<float[]> rows, ScoringOutcome[] outcomes, DeadLetterReason[] reasons,
      String[] details) {
    // Each window is scored with its record's own timestamp (the window's last row): what a
    // conditional model's condition was derived from in training; others ignore it.
    long[] timestamps = new long[indices.size()];
    for (int j = 0; j < timestamps.length; j++) {
      timestamps[j] = pending.get(indices.get(j)).value.timestamp();
    }
    long started = System.nanoTime();
    ScoreBatch batch = active.model().score(rows.toArray(new float[0][]), timestamps);
    listener.onBatch(rows.size(), System.nanoTime() - started);
    // Which metric made it anomalous: one more pass for the (rare) anomalies only, all of the
    // batch's in one call (a call costs a millisecond or so however few windows it has).
    List<Integer> anomalous = new ArrayList<>();
    for (int j = 0; j < indices.size(); j++) {
      if (batch.isScored(j) && Double.isFinite(batch.logProbability(j)) && batch.isAnomaly(j)) {
        anomalous.add(j);
      }
    }
    double[][] shares = new double[indices.size()][];
    if (!anomalous.isEmpty()) {
      float[][] anomalousRows = new float[anomalous.size()][];
      long[] anomalousTimestamps = new long[anomalous.size()];
      for (int a = 0; a < anomalousRows.length; a++) {
        anomalousRows[a] = rows.get(anomalous.get(a));
        anomalousTimestamps[a] = timestamps[anomalous.get(a)];
      }
      double[][] computed = active.model().contributions(anomalousRows, anomalousTimestamps);
      for (int a = 0; a < computed.length; a++) {
        shares[anomalous.get(a)] = computed[a];
      }
    }
    for (int j = 0; j < indices.size(); j++) {
      PendingRecord p = pending.get(indices.get(j)).value;
      double logProbability = batch.logProbability(j);
      if (!batch.isScored(j) || !Double.isFinite(logProbability)) {
        reasons[indices.get(j)] = DeadLetterReason.SCORING_FAILED;
        details[indices.get(j)] = "the model gave a non-finite log-probability ("
            + logProbability + ")";
        continue;
      }
      float[] mu = batch.latentMean(j);
      List<Double> latent = new ArrayList<>(mu.length);
      for (float v : mu) {
        latent.add((double) v);
      }
      Map<String, Double> contributions = null;
      if (shares[j] != null) {
        contributions = new LinkedHashMap<>();
        for (int f = 0; f < shares[j].length; f++) {
          contributions.put(active.model().features().get(f), shares[j][f]);
        }
      }
      outcomes[indices.get(j)] = new ScoringOutcome.Scored(new ScoreRecord(p.series(),
          p.timestamp(), ScoreStatus.SCORED, logProbability, batch.anomalyScore(j),
          batch.threshold(), batch.isAnomaly(j), latent, active.name(), active.version(),
          scoredAt, contributions));
    }
  }

  /** Indices of the model's features among the window's columns, or null if one is missing. */
  private static int[] columns(List<String> windowFeatures, List<String> modelFeatures) {
    int[] columns = new int[modelFeatures.size()];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = windowFeatures.indexOf(modelFeatures.get(i));
      if (columns[i] < 0) {
        return null;
      }
    }
    return columns;
  }

  private byte[] rebuild(PendingRecord p) {
    return metricCodec.encode(new MetricRecord(p.series(), p.timestamp(), values(p)));
  }

  /** The record's own readings (its window's last row), in column order. */
  private static Map<String, Double> values(PendingRecord p) {
    float[] row = p.lastRow();
    Map<String, Double> values = new LinkedHashMap<>();
    for (int i = 0; i < row.length; i++) {
      values.put(p.features().get(i), (double) row[i]);
    }
    return Collections.unmodifiableMap(values);
  }

  private void deadLetter(Record<String, byte[]> record, DeadLetterReason reason, String detail) {
    emitDeadLetter(record.key(), record.value(), record.timestamp(), record.headers(), reason,
        detail, origin());
  }

  /**
   * Dead-letters an oversized record with its key and value cut to fit: the dead-letter topic
   * must not refuse it (that would fail the transaction and the task), and the origin header
   * still points at the full record on the input topic.
   */
  private void tooLarge(Record<String, byte[]> record, long size) {
    int limit = settings.limits().maxRecordBytes();
    String key = record.key();
    if (key.length() > limit / 4) {
      key = key.substring(0, limit / 4);
    }
    int valueLimit = limit - key.getBytes(StandardCharsets.UTF_8).length;
    byte[] value = record.value() == null || record.value().length <= valueLimit
        ? record.value() : java.util.Arrays.copyOf(record.value(), valueLimit);
    emitDeadLetter(key, value, record.timestamp(), new RecordHeaders(),
        DeadLetterReason.RECORD_TOO_LARGE, "key, value and headers are " + size
            + " bytes; at most " + limit + " (scorer.max-record-bytes); the key and value here"
            + " are cut to the limit and the input's headers dropped",
        origin());
  }

  private static long headerBytes(Headers headers) {
    long bytes = 0;
    for (org.apache.kafka.common.header.Header h : headers) {
      bytes += h.key().length() * 3L + (h.value() == null ? 0 : h.value().length);
    }
    return bytes;
  }

  private String origin() {
    return context.recordMetadata()
        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("unknown");
  }

  private void emitDeadLetter(String key, byte[] payload, long timestamp, Headers inputHeaders,
      DeadLetterReason reason, String detail, String origin) {
    Headers headers = new RecordHeaders(inputHeaders.toArray());
    headers.remove(DeadLetterReason.HEADER_REASON);
    headers.remove(DeadLetterReason.HEADER_DETAIL);
    headers.remove(DeadLetterReason.HEADER_ORIGIN);
    headers.add(DeadLetterReason.HEADER_REASON, reason.code().getBytes(StandardCharsets.UTF_8));
    headers.add(DeadLetterReason.HEADER_DETAIL, oneLine(detail).getBytes(StandardCharsets.UTF_8));
    headers.add(DeadLetterReason.HEADER_ORIGIN, origin.getBytes(StandardCharsets.UTF_8));
    context.forward(new Record<String, ScoringOutcome>(key,
        new ScoringOutcome.DeadLetter(payload), timestamp, headers));
    listener.onDeadLetter(reason);
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    String line = text.replace('\n', ' ').replace('\r', ' ');
    return line.length() > 500 ? line.substring(0, 500) : line;
  }
}
