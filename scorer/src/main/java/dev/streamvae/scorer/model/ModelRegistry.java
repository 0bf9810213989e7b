package dev.streamvae.scorer.model;

import dev.streamvae.vae.AnomalyModel;
import dev.streamvae.vae.InvalidModelException;
import dev.streamvae.vae.ModelBundle;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the active model of one model name and decides whether each envelope from the models
 * topic replaces it. A new version is decoded, checksum-verified, loaded and checked against the
 * scorer's limits completely before one atomic swap makes it active; anything that fails is
 * rejected with a reason and the previous model keeps serving. Versions that are not newer than
 * the active one are ignored, so replaying the topic from the start converges on the newest
 * valid version.
 */
public final class ModelRegistry implements ModelSource {

  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
  private static final int HISTORY = 50;

  private final String modelName;
  private final int maxWindowLength;
  private final Clock clock;
  private final Consumer<LoadAttempt> listener;
  private final AtomicReference<ActiveModel> active = new AtomicReference<>();
  private final Deque<LoadAttempt> attempts = new ArrayDeque<>();

  /**
   * @param modelName the model name this scorer serves
   * @param maxWindowLength the longest window the scorer keeps per series
   * @param clock stamps activation times
   * @param listener told of every attempt (metrics)
   */
  public ModelRegistry(String modelName, int maxWindowLength, Clock clock,
      Consumer<LoadAttempt> listener) {
    this.modelName = Objects.requireNonNull(modelName, "modelName");
    this.maxWindowLength = maxWindowLength;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public Optional<ActiveModel> current() {
    return Optional.ofNullable(active.get());
  }

  /** The model name this registry serves. */
  public String modelName() {
    return modelName;
  }

  /** The most recent attempts, newest first. */
  public synchronized List<LoadAttempt> attempts() {
    return List.copyOf(attempts);
  }

  /**
   * Verifies and, if it is newer than the active model, activates an envelope.
   *
   * @param envelope the bytes of the models topic record
   * @param origin where it came from, for the log and the model endpoint
   */
  public synchronized LoadAttempt offer(byte[] envelope, String origin) {
    long started = System.nanoTime();
    ModelBundle bundle;
    try {
      if (envelope == null) {
        return record(started, origin, null, null, LoadAttempt.Outcome.IGNORED, "tombstone");
      }
      bundle = ModelBundle.fromBytes(envelope);
    } catch (InvalidModelException | IllegalArgumentException e) {
      return record(started, origin, null, null, LoadAttempt.Outcome.REJECTED,
          "undecodable envelope: " + e.getMessage());
    }
    String name = bundle.manifest().modelName();
    long version = bundle.manifest().version();
    if (!modelName.equals(name)) {
      return record(started, origin, name, version, LoadAttempt.Outcome.IGNORED,
          "serving model '" + modelName + "'");
    }
    ActiveModel previous = active.get();
    if (previous != null && version <= previous.version()) {
      return record(started, origin, name, version, LoadAttempt.Outcome.IGNORED,
          "not newer than active version " + previous.version());
    }
    if (bundle.manifest().windowLength() > maxWindowLength) {
      return record(started, origin, name, version, LoadAttempt.Outcome.REJECTED,
          "window length " + bundle.manifest().windowLength()
              + " exceeds the scorer's window capacity " + maxWindowLength);
    }
    AnomalyModel model;
    try {
      model = bundle.load();
    } catch (InvalidModelException | IllegalArgumentException | IllegalStateException e) {
      return record(started, origin, name, version, LoadAttempt.Outcome.REJECTED,
          "payload does not load: " + e.getMessage());
    }
    active.set(new ActiveModel(model, bundle.manifest(), clock.instant()));
    return record(started, origin, name, version, LoadAttempt.Outcome.ACTIVATED,
        previous == null ? "first model" : "replaces version " + previous.version());
  }

  private LoadAttempt record(long started, String origin, String name, Long version,
      LoadAttempt.Outcome outcome, String reason) {
    LoadAttempt attempt = new LoadAttempt(clock.instant(), origin, name, version, outcome, reason,
        java.time.Duration.ofNanos(System.nanoTime() - started));
    attempts.addFirst(attempt);
    while (attempts.size() > HISTORY) {
      attempts.removeLast();
    }
    switch (outcome) {
      case ACTIVATED -> LOG.info("model '{}' version {} active ({}) from {}", name, version,
          reason, origin);
      case REJECTED -> LOG.warn("model '{}' version {} REJECTED from {}: {}", name, version,
          origin, reason);
      case IGNORED -> LOG.debug("model envelope from {} ignored: {}", origin, reason);
    }
    listener.accept(attempt);
    return attempt;
  }
}
