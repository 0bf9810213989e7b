package dev.streamvae.scorer.topology;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricReadings;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.SchemaException;
import dev.streamvae.schemas.ScoreBaseline;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.ActiveModel;
import dev.streamvae.scorer.model.ModelSource;
import dev.streamvae.vae.ScoreBatch;
import dev.streamvae.vae.ScoreSurprise;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
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
 * Parses each input record, checks it against its series' state, and queues it; queued records
 * are scored together when the batch is full or its wall-clock delay has passed. Every input
 * record leaves as exactly one outcome: a score record (SCORED, WARMING_UP or NO_MODEL) or a dead
 * letter.
 *
 * <h2>State, and why a crash neither loses nor duplicates a score</h2>
 *
 * <p>Two changelogged stores hold the task's state, and they change only as follows:
 *
 * <ul>
 *   <li>{@code series-windows} holds, per series, the window of the records that have been
 *       <em>emitted</em> (flushed), and the anomaly scores of the last of them that the alert
 *       rule compares a new score with. It is written only by {@link #flush()}, once per series
 *       per batch, never when a record is accepted.
 *   <li>{@code pending-scores} holds every record accepted and not yet emitted, in its compact
 *       form ({@link PendingRecord}: its own row, not its window), each under the slot key of its
 *       position in the current batch, plus a marker: the sequence number of the last record
 *       emitted. An entry whose sequence is at or below the marker is stale (its slot is
 *       overwritten by a later batch) and is ignored; nothing is deleted, so a flush writes one
 *       marker instead of a tombstone per record.
 * </ul>
 *
 * <p>Invariant, true between any two calls of {@code process} or the punctuator (which is when
 * Kafka Streams commits): the stored window of a series followed by its live pending rows, in
 * sequence order, is exactly the series' history as the record-at-a-time rule builds it (append;
 * start a new window when the metric set or the configured capacity changes). {@code accept}
 * keeps it by adding a pending entry and nothing else; {@code flush} keeps it by replaying the
 * batch's rows onto the stored windows, writing them back and moving the marker past the batch,
 * all in one call, so no commit can fall between the two.
 *
 * <p>Under exactly-once the input offsets, the outputs and both stores' changelog writes of a
 * commit interval go in one transaction. After a crash the stores are restored to the last
 * commit, where (by the invariant) every record accepted but not emitted is a live pending entry
 * and the windows hold only emitted records. {@link #init} queues the live entries again in
 * sequence order and the first flush replays them onto the same stored windows, so each is
 * scored with exactly the window it would have had without the crash: the window is rebuilt
 * from the same rows by the same rule, whatever the batch size or window capacity (a batch
 * holding more records of one series than the window's capacity replays them one by one and
 * takes each record's window before the next is appended). Records whose transaction aborted are
 * read again from the input and accepted anew. So: nothing lost, nothing duplicated.
 *
 * <p>The window an arriving record is checked against (out of order? metric set changed?) is the
 * newest pending record of its series if there is one, else the stored window: the same state
 * the record-at-a-time rule would hold at that point.
 *
 * <p>Upgrades: a format-1 pending entry, written when the window store already held it, carries
 * its own window; it is scored from that and not replayed (the stored window has it already).
 *
 * <p>Alerts: a SCORED anomaly is an alert only when its score exceeds every score of the series'
 * previous {@link TopologySettings#alertLookback()} scored records, so a persisting anomaly
 * alerts when it starts and again only when it gets worse (the evaluation's de-duplication,
 * docs/quality.md). The scores compared with live in the same stored window, updated in the same
 * flush as the outputs they decided, so a restore decides a replayed record's alert from exactly
 * the scores the uninterrupted run would have held. A model whose manifest has a score baseline
 * also gives each SCORED record a surprise ({@link ScoreSurprise}: its score against the moments
 * of the series' previous scores under that model, kept in the same stored window), and such an
 * anomaly alerts only with a surprise of at least {@link TopologySettings#alertSurprise()}.
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
  /** Pending-store key of the marker: the sequence number of the last record emitted. */
  static final long FLUSHED_MARKER_KEY = Long.MIN_VALUE;
  // Slot keys lie just above the marker, far below the keys of format-1 entries (their
  // sequence numbers, from 0 up), so the two never meet.
  private static final long FIRST_SLOT_KEY = Long.MIN_VALUE + 1;

  private final TopologySettings settings;
  private final ModelSource models;
  private final ScoringListener listener;
  private final Clock clock;
  private final JsonCodec<MetricRecord> metricCodec = JsonCodec.metricRecord();

  private ProcessorContext<String, ScoringOutcome> context;
  private KeyValueStore<String, byte[]> windows;
  private KeyValueStore<Long, byte[]> pendingStore;
  /** Accepted, not yet emitted, in sequence order; entry i is in slot {@code FIRST_SLOT_KEY + i}. */
  private final List<PendingRecord> pending = new ArrayList<>();
  /** The newest pending record of each series: the state an arriving record continues. */
  private final Map<String, PendingRecord> newestPending = new HashMap<>();
  /** Stored windows read during this batch (null: none stored), each decoded once per batch. */
  private final Map<String, SeriesWindow> storedWindows = new HashMap<>();
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
    // Runs after restoration: the live entries here were accepted before a crash or a rebalance
    // and not yet emitted in a committed transaction.
    long flushedUpTo = -1;
    List<PendingRecord> entries = new ArrayList<>();
    try (KeyValueIterator<Long, byte[]> it = pendingStore.all()) {
      while (it.hasNext()) {
        KeyValue<Long, byte[]> kv = it.next();
        if (kv.key == FLUSHED_MARKER_KEY) {
          flushedUpTo = ByteBuffer.wrap(kv.value).getLong();
        } else {
          entries.add(PendingRecord.decode(kv.value, kv.key));
        }
      }
    }
    long maxSequence = flushedUpTo;
    for (PendingRecord p : entries) {
      maxSequence = Math.max(maxSequence, p.sequence());
      // Format-1 entries were deleted when emitted: any left is live.
      if (p.sequence() > flushedUpTo || p.legacyWindow() != null) {
        pending.add(p);
      }
    }
    nextSequence = maxSequence + 1;
    pending.sort(Comparator.comparingLong(PendingRecord::sequence));
    for (PendingRecord p : pending) {
      newestPending.put(p.series(), p);
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
    MetricReadings metric;
    try {
      metric = MetricReadings.parse(record.value());
    } catch (SchemaException e) {
      deadLetter(record, DeadLetterReason.UNPARSEABLE, e.getMessage());
      return;
    }
    if (metric.series() != null && !metric.series().equals(series)) {
      deadLetter(record, DeadLetterReason.SERIES_KEY_MISMATCH,
          "value names series '" + metric.series() + "' but the key is '" + series + "'");
      return;
    }
    if (metric.size() > limits.maxFeatures()) {
      deadLetter(record, DeadLetterReason.TOO_MANY_FEATURES, metric.size()
          + " metrics; at most " + limits.maxFeatures() + " (scorer.max-features)");
      return;
    }
    List<String> features = metric.names();
    float[] row = new float[features.size()];
    for (int i = 0; i < row.length; i++) {
      double value = metric.value(i);
      if (!Double.isFinite(value)) {
        deadLetter(record, DeadLetterReason.NON_FINITE_VALUE,
            "'" + features.get(i) + "' is " + value);
        return;
      }
      row[i] = (float) value;
      if (!Float.isFinite(row[i])) {
        deadLetter(record, DeadLetterReason.VALUE_OUT_OF_RANGE,
            "'" + features.get(i) + "' is " + value + ", beyond a 32-bit float");
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
    // A series whose metric set changes starts a new window: old and new rows do not line up.
    if (continuesWindow(series, features)
        && metric.timestamp() < lastTimestamp(series)) {
      deadLetter(record, DeadLetterReason.OUT_OF_ORDER, "timestamp " + metric.timestamp()
          + " is older than the series' newest " + lastTimestamp(series));
      return;
    }
    PendingRecord entry = new PendingRecord(nextSequence++, series, metric.timestamp(),
        record.timestamp(), features, row);
    pendingStore.put(FIRST_SLOT_KEY + pending.size(), entry.encode());
    pending.add(entry);
    newestPending.put(series, entry);
    if (pending.size() >= settings.batchSize()) {
      flush();
    }
  }

  /**
   * Whether a record with these features continues the series' current window (rather than
   * starting a new one): the window as of its newest pending record, else as stored.
   */
  private boolean continuesWindow(String series, List<String> features) {
    PendingRecord newest = newestPending.get(series);
    if (newest != null && newest.legacyWindow() == null) {
      // Replayed, the newest pending row leaves a window of these features and the configured
      // capacity (continued or started anew).
      return newest.features().equals(features);
    }
    SeriesWindow stored = storedWindow(series);
    return stored != null && stored.features().equals(features)
        && stored.capacity() == settings.windowCapacity();
  }

  /** The series' newest timestamp; only called when {@link #continuesWindow} holds. */
  private long lastTimestamp(String series) {
    PendingRecord newest = newestPending.get(series);
    return newest != null ? newest.timestamp() : storedWindow(series).lastTimestamp();
  }

  /** The series' stored window (emitted records only), or null; read once per batch. */
  private SeriesWindow storedWindow(String series) {
    if (storedWindows.containsKey(series)) {
      return storedWindows.get(series);
    }
    byte[] stored = windows.get(series);
    SeriesWindow window = stored == null ? null : SeriesWindow.decode(stored);
    storedWindows.put(series, window);
    return window;
  }

  /**
   * Appends a pending record to its series' window as replayed in this flush and returns that
   * window, which then ends at the record. A format-1 entry brings its own window instead.
   */
  private SeriesWindow replay(PendingRecord p, Map<String, SeriesWindow> replayed) {
    if (p.legacyWindow() != null) {
      return SeriesWindow.of(p.features(), p.legacyWindow(), p.timestamp());
    }
    SeriesWindow window = replayed.containsKey(p.series()) ? replayed.get(p.series())
        : storedWindow(p.series());
    if (window == null || !window.features().equals(p.features())
        || window.capacity() != settings.windowCapacity()) {
      window = new SeriesWindow(p.features(), settings.windowCapacity());
    }
    window.append(p.timestamp(), p.row());
    replayed.put(p.series(), window);
    return window;
  }

  /**
   * Scores and emits everything queued, in arrival order. Each record goes to the model its series
   * is routed to; each model name is looked up once per flush, so its records in the batch are
   * scored by one model, in one call per name. A name with a shadow candidate has its records
   * scored by the candidate too, and those scores go to the shadow topic.
   *
   * <p>The queued rows are replayed onto their series' stored windows in arrival order, each
   * record's model input taken from its window before the next row of the series is appended;
   * then each touched window is written back once and the marker moved past the batch.
   */
  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    long scoredAt = clock.millis();
    int n = pending.size();
    ScoringOutcome[] outcomes = new ScoringOutcome[n];
    float[][] inputs = new float[n][];
    String[] deadLetterDetail = new String[n];
    DeadLetterReason[] deadLetterReason = new DeadLetterReason[n];
    String[] routedTo = new String[n];
    String[] noModelReason = new String[n];
    ScoringOutcome[] shadowOutcomes = null;
    float[][] shadowInputs = null;
    Map<String, Optional<ActiveModel>> activeByName = new HashMap<>();
    Map<String, Optional<ActiveModel>> shadowByName = new HashMap<>();
    Map<String, List<Integer>> byName = new LinkedHashMap<>();
    Map<String, SeriesWindow> replayed = new LinkedHashMap<>();
    // The window each record was scored from: a series whose metric set changes mid-batch starts
    // a new window, and its records before the change keep the old one's scores.
    SeriesWindow[] windowOf = new SeriesWindow[n];
    for (int i = 0; i < n; i++) {
      PendingRecord p = pending.get(i);
      SeriesWindow window;
      try {
        window = replay(p, replayed);
        windowOf[i] = window;
      } catch (RuntimeException e) {
        // Unreadable stored state (a record restored after a crash reads its series' window
        // only here): answered as at acceptance, not thrown at every restart.
        LOG.warn("queued record of series {} could not be replayed", p.series(), e);
        deadLetterReason[i] = DeadLetterReason.PROCESSING_FAILED;
        deadLetterDetail[i] = e.toString();
        continue;
      }
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
      prepare(active.get(), window, p, i, scoredAt, inputs, outcomes, deadLetterReason,
          deadLetterDetail);
      byName.computeIfAbsent(name, k -> new ArrayList<>()).add(i);
      Optional<ActiveModel> shadow = shadowByName.computeIfAbsent(name, models::shadow);
      if (shadow.isPresent()) {
        if (shadowOutcomes == null) {
          shadowOutcomes = new ScoringOutcome[n];
          shadowInputs = new float[n][];
        }
        // A record the candidate cannot score still has its real outcome; only the comparison
        // misses it, so the candidate's failures are not dead-lettered.
        prepare(shadow.get(), window, p, i, scoredAt, shadowInputs, shadowOutcomes,
            new DeadLetterReason[n], new String[n]);
      }
    }
    for (Map.Entry<String, List<Integer>> e : byName.entrySet()) {
      scoreWithModel(activeByName.get(e.getKey()).get(), e.getValue(), inputs, scoredAt,
          outcomes, deadLetterReason, deadLetterDetail);
      Optional<ActiveModel> shadow = shadowByName.get(e.getKey());
      if (shadow.isPresent()) {
        scoreWithModel(shadow.get(), e.getValue(), shadowInputs, scoredAt, shadowOutcomes,
            new DeadLetterReason[n], new String[n]);
      }
    }
    decideAlerts(outcomes, windowOf, activeByName, routedTo);
    // After the alerts: the stored windows carry the scores they were decided against. No commit
    // falls inside a flush, so this lands in the same transaction as the outputs.
    for (Map.Entry<String, SeriesWindow> e : replayed.entrySet()) {
      windows.put(e.getKey(), e.getValue().encode());
    }
    for (int i = 0; i < n; i++) {
      PendingRecord p = pending.get(i);
      if (outcomes[i] instanceof ScoringOutcome.Scored scored) {
        ScoreRecord s = scored.record();
        context.forward(new Record<>(p.series(), outcomes[i], p.recordTimestamp()));
        listener.onScore(s.status(), s.anomaly(), s.modelName());
        if (Boolean.TRUE.equals(s.alert())) {
          listener.onAlert(s.modelName());
        }
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
      if (p.legacyWindow() != null) {
        pendingStore.delete(p.sequence());
      }
    }
    pendingStore.put(FLUSHED_MARKER_KEY,
        ByteBuffer.allocate(Long.BYTES).putLong(pending.get(n - 1).sequence()).array());
    pending.clear();
    newestPending.clear();
    storedWindows.clear();
  }

  /**
   * Decides each SCORED record's surprise and alert, in arrival order, against the recent scores
   * of the window it was scored from, and adds its score to them.
   */
  private void decideAlerts(ScoringOutcome[] outcomes, SeriesWindow[] windowOf,
      Map<String, Optional<ActiveModel>> activeByName, String[] routedTo) {
    int lookback = settings.alertLookback();
    Map<String, SurpriseModel> surpriseModels = new HashMap<>();
    for (int i = 0; i < outcomes.length; i++) {
      if (outcomes[i] instanceof ScoringOutcome.Scored scored
          && scored.record().status() == ScoreStatus.SCORED) {
        ScoreRecord s = scored.record();
        // A format-1 entry's window is its own copy, never stored and without scores: each of its
        // anomalies alerts, without a surprise, as before the upgrade. (null: the replay failed,
        // and the record is a dead letter already.)
        if (windowOf[i] == null || pending.get(i).legacyWindow() != null) {
          outcomes[i] = new ScoringOutcome.Scored(s.withAlert(s.anomaly()));
          continue;
        }
        SurpriseModel model = surpriseModels.computeIfAbsent(routedTo[i],
            name -> SurpriseModel.of(activeByName.get(name).orElseThrow()));
        Double surprise = model == null ? null : windowOf[i].surprise(model.key(),
            model.baseline(), ScoreSurprise.argument(s.anomalyScore(), s.threshold(),
                model.scale()));
        boolean rises = windowOf[i].risesAboveRecent(s.anomalyScore(), lookback);
        boolean surprising = surprise == null || surprise >= settings.alertSurprise();
        outcomes[i] = new ScoringOutcome.Scored(
            s.withSurpriseAndAlert(surprise, s.anomaly() && rises && surprising));
      }
    }
  }

  /** What a model's scores need for their surprise: its identity, scale and baseline. */
  private record SurpriseModel(String key, double scale, ScoreSurprise baseline) {

    /** The model's, or null when its manifest has no score baseline. */
    static SurpriseModel of(ActiveModel active) {
      ScoreBaseline b = active.manifest().scoreBaseline();
      if (b == null) {
        return null;
      }
      return new SurpriseModel(active.manifest().modelName() + "@" + active.manifest().version(),
          b.scale(), new ScoreSurprise(b.count(), b.mean(), b.variance()));
    }
  }

  /**
   * Takes record {@code i}'s input for one model from its window (which ends at the record), or
   * answers it: WARMING_UP while the window is shorter than the model's, a dead letter when the
   * series lacks one of the model's metrics.
   */
  private static void prepare(ActiveModel active, SeriesWindow window, PendingRecord p, int i,
      long scoredAt, float[][] inputs, ScoringOutcome[] outcomes, DeadLetterReason[] reasons,
      String[] details) {
    List<String> modelFeatures = active.model().features();
    int w = active.model().windowLength();
    int[] columns = columns(p.features(), modelFeatures);
    if (columns == null) {
      reasons[i] = DeadLetterReason.MISSING_FEATURE;
      details[i] = "model '" + active.name() + "' v" + active.version() + " reads "
          + modelFeatures + "; the series has " + p.features();
      return;
    }
    if (window.filled() < w) {
      outcomes[i] = new ScoringOutcome.Scored(ScoreRecord.unscored(p.series(), p.timestamp(),
          ScoreStatus.WARMING_UP, active.name(), active.version(), scoredAt));
      return;
    }
    float[] x = new float[w * columns.length];
    window.copyLast(w, columns, x);
    inputs[i] = x;
  }

  private void scoreWithModel(ActiveModel active, List<Integer> indices, float[][] inputs,
      long scoredAt, ScoringOutcome[] outcomes, DeadLetterReason[] reasons, String[] details) {
    List<Integer> toScore = new ArrayList<>();
    List<float[]> windowsToScore = new ArrayList<>();
    for (int i : indices) {
      if (inputs[i] != null) {
        toScore.add(i);
        windowsToScore.add(inputs[i]);
      }
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
      timestamps[j] = pending.get(indices.get(j)).timestamp();
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
      PendingRecord p = pending.get(indices.get(j));
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

  /** The record's own readings, in column order. */
  private static Map<String, Double> values(PendingRecord p) {
    float[] row = p.row();
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
