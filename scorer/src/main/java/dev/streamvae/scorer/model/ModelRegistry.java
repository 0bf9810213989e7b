package dev.streamvae.scorer.model;

import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.vae.AnomalyModel;
import dev.streamvae.vae.InvalidModelException;
import dev.streamvae.vae.ModelBundle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every model name's versions, their verification results, policies, and the active and shadow
 * model each name serves. Records from the models topic are offered one at a time: an envelope is
 * verified completely ({@link EnvelopeVerifier}) before it can serve; a policy record ({@link
 * ModelPolicy}) changes what a name serves. After each change the name's active and shadow
 * models are recomputed from its verified versions and policy, and published as one immutable
 * snapshot that the topology reads without locking, so no record is scored by a half-loaded
 * model. Anything that fails is rejected with a reason, and the previous model keeps serving.
 *
 * <p>The outcome depends only on the records read, not on timing, so instances that read the same
 * topic converge on the same active version per name, and a restarted instance that has read the
 * topic to its end serves what the others serve.
 *
 * <p>Memory: a name keeps the loaded models of its active and shadow versions and of its {@code
 * residentVersions} newest verified versions; others are dropped after verification. When a
 * policy asks for a dropped version, {@link #takeRewindRequest()} tells the watcher to re-read
 * the topic, and the version is loaded again (and verified again) when it comes by.
 */
public final class ModelRegistry implements ModelSource {

  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
  private static final int HISTORY = 100;
  private static final String NONE = "none";

  private final SeriesRouter router;
  private final String defaultModelName;
  private final EnvelopeVerifier verifier;
  private final Map<String, ModelPolicy> configPolicies;
  private final int residentVersions;
  private final Clock clock;
  private final Consumer<LoadAttempt> listener;
  private final Map<String, NameState> names = new ConcurrentHashMap<>();
  private final Deque<LoadAttempt> attempts = new ArrayDeque<>();
  private final Set<String> rewindsAsked = new HashSet<>();
  private volatile boolean rewindWanted;

  /** What one name serves now; replaced whole, read without locks. */
  private record Serving(ActiveModel active, ActiveModel shadow, String note) {}

  /** One version seen under a name; mutated under the registry's lock only. */
  private static final class VersionEntry {
    final long version;
    final String envelopeSha;
    final ModelManifest manifest;
    final String origin;
    final Instant seenAt;
    final boolean verified;
    final String reasonCode;
    final String reason;
    AnomalyModel model;

    VersionEntry(long version, String envelopeSha, ModelManifest manifest, String origin,
        Instant seenAt, boolean verified, String reasonCode, String reason, AnomalyModel model) {
      this.version = version;
      this.envelopeSha = envelopeSha;
      this.manifest = manifest;
      this.origin = origin;
      this.seenAt = seenAt;
      this.verified = verified;
      this.reasonCode = reasonCode;
      this.reason = reason;
      this.model = model;
    }
  }

  private static final class NameState {
    final String name;
    final NavigableMap<Long, VersionEntry> versions = new TreeMap<>();
    ModelPolicy topicPolicy;
    volatile Serving serving = new Serving(null, null, "no verified version yet");

    NameState(String name) {
      this.name = name;
    }
  }

  /**
   * @param router which series each model name scores
   * @param defaultModelName the name of {@link #current()}, for single-model views
   * @param verifier the checks every envelope passes
   * @param configPolicies policies from configuration, by name; a policy record on the topic for
   *     the same name takes precedence
   * @param residentVersions newest verified versions per name kept loaded besides active/shadow
   * @param clock stamps activations and attempts
   * @param listener told of every attempt (metrics)
   */
  public ModelRegistry(SeriesRouter router, String defaultModelName, EnvelopeVerifier verifier,
      Map<String, ModelPolicy> configPolicies, int residentVersions, Clock clock,
      Consumer<LoadAttempt> listener) {
    this.router = Objects.requireNonNull(router, "router");
    this.defaultModelName = Objects.requireNonNull(defaultModelName, "defaultModelName");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.configPolicies = Map.copyOf(configPolicies);
    this.residentVersions = Math.max(1, residentVersions);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listener = Objects.requireNonNull(listener, "listener");
    for (String name : router.modelNames()) {
      state(name);
    }
    configPolicies.keySet().forEach(this::state);
  }

  /** A registry serving one name to every series, verifying leniently: for tests and tools. */
  public static ModelRegistry single(String modelName, int windowCapacity, Clock clock,
      Consumer<LoadAttempt> listener) {
    return new ModelRegistry(new SeriesRouter(modelName, List.of()), modelName,
        EnvelopeVerifier.lenient(windowCapacity), Map.of(), 3, clock, listener);
  }

  // ---- ModelSource --------------------------------------------------------------------------

  @Override
  public Optional<String> route(String series) {
    return router.route(series);
  }

  @Override
  public Optional<ActiveModel> active(String modelName) {
    NameState s = names.get(modelName);
    return s == null ? Optional.empty() : Optional.ofNullable(s.serving.active());
  }

  @Override
  public Optional<ActiveModel> shadow(String modelName) {
    NameState s = names.get(modelName);
    return s == null ? Optional.empty() : Optional.ofNullable(s.serving.shadow());
  }

  /** The default model name's active model. */
  public Optional<ActiveModel> current() {
    return active(defaultModelName);
  }

  /** The default model name (served to every series when no routes are configured). */
  public String modelName() {
    return defaultModelName;
  }

  /** Every model name routed to or seen on the topic, sorted. */
  public List<String> modelNames() {
    return List.copyOf(new TreeSet<>(names.keySet()));
  }

  /** The most recent attempts, newest first. */
  public synchronized List<LoadAttempt> attempts() {
    return List.copyOf(attempts);
  }

  /** The policy in force for a name: the topic's record, else configuration, else the default. */
  public synchronized ModelPolicy policy(String modelName) {
    NameState s = names.get(modelName);
    return effectivePolicy(modelName, s == null ? null : s.topicPolicy);
  }

  /**
   * Whether a policy asked for a version whose model was dropped; answers true once per ask, and
   * the caller re-reads the models topic from the beginning.
   */
  public boolean takeRewindRequest() {
    if (!rewindWanted) {
      return false;
    }
    rewindWanted = false;
    return true;
  }

  // ---- views for the HTTP endpoints -----------------------------------------------------------

  /**
   * One version as the registry endpoint shows it.
   *
   * @param version the version number
   * @param status {@code VERIFIED} or {@code REJECTED}
   * @param reasonCode the rejection's category, {@code none} when verified
   * @param reason one line
   * @param origin the topic position it came from
   * @param seenAt when this instance read it
   * @param manifest its manifest, when it decoded
   * @param resident whether its model is loaded
   * @param signed whether a trusted signature was checked ({@code signingKeyId} present)
   */
  public record VersionView(long version, String status, String reasonCode, String reason,
      String origin, Instant seenAt, ModelManifest manifest, boolean resident, boolean signed) {}

  /**
   * One model name as the registry endpoint shows it.
   *
   * @param modelName the name
   * @param policy the policy in force
   * @param active the active version and since when, or null
   * @param shadow the shadow version, or null
   * @param note why the name serves what it serves, when it is not the obvious
   * @param versions every version seen, newest first
   */
  public record NameView(String modelName, ModelPolicy policy, ActiveModel active,
      ActiveModel shadow, String note, List<VersionView> versions) {}

  /** A consistent view of one name, or empty when the name is unknown. */
  public synchronized Optional<NameView> view(String modelName) {
    NameState s = names.get(modelName);
    if (s == null) {
      return Optional.empty();
    }
    List<VersionView> versions = new ArrayList<>();
    for (VersionEntry e : s.versions.descendingMap().values()) {
      versions.add(new VersionView(e.version, e.verified ? "VERIFIED" : "REJECTED", e.reasonCode,
          e.reason, e.origin, e.seenAt, e.manifest, e.model != null,
          e.verified && e.manifest != null && e.manifest.signingKeyId() != null));
    }
    Serving serving = s.serving;
    return Optional.of(new NameView(modelName, effectivePolicy(modelName, s.topicPolicy),
        serving.active(), serving.shadow(), serving.note(), versions));
  }

  /** Whether a version of a name has been verified (for the policy endpoints' checks). */
  public synchronized boolean isVerified(String modelName, long version) {
    NameState s = names.get(modelName);
    VersionEntry e = s == null ? null : s.versions.get(version);
    return e != null && e.verified;
  }

  // ---- offers from the models topic -----------------------------------------------------------

  /**
   * Handles one record of the models topic.
   *
   * @param key the record key: {@code policy:NAME} for a policy, else an envelope's key
   * @param value the record value (null: a tombstone)
   * @param origin where it came from, for the log and the endpoints
   */
  public synchronized LoadAttempt offer(String key, byte[] value, String origin) {
    long started = System.nanoTime();
    if (key != null && key.startsWith(ModelPolicy.KEY_PREFIX)) {
      return offerPolicy(key.substring(ModelPolicy.KEY_PREFIX.length()), value, origin, started);
    }
    if (value == null) {
      return record(started, origin, null, null, LoadAttempt.Outcome.IGNORED, NONE, "tombstone");
    }
    Optional<ModelManifest> claimed = ModelBundle.peekManifest(value);
    String claimedName = claimed.map(ModelManifest::modelName).orElse(null);
    Long claimedVersion = claimed.map(ModelManifest::version).orElse(null);
    String sha = ModelBundle.sha256Hex(value);
    ModelBundle bundle;
    try {
      bundle = verifier.decode(value);
    } catch (InvalidModelException e) {
      return reject(started, origin, claimedName, claimedVersion, sha, claimed.orElse(null), e);
    } catch (RuntimeException e) {
      return reject(started, origin, claimedName, claimedVersion, sha, claimed.orElse(null),
          new InvalidModelException("undecodable envelope: " + e, e));
    }
    String name = bundle.manifest().modelName();
    long version = bundle.manifest().version();
    NameState s = state(name);
    VersionEntry existing = s.versions.get(version);
    if (existing != null && existing.verified) {
      if (!existing.envelopeSha.equals(sha)) {
        return record(started, origin, name, version, LoadAttempt.Outcome.REJECTED,
            "duplicate_version", "version " + version + " was already verified from "
                + existing.origin + " with other content; a version never changes");
      }
      if (existing.model != null || !wanted(s, version)) {
        return record(started, origin, name, version, LoadAttempt.Outcome.IGNORED, NONE,
            "already verified");
      }
    }
    EnvelopeVerifier.Verified verified;
    try {
      verified = verifier.load(bundle);
    } catch (InvalidModelException e) {
      return reject(started, origin, name, version, sha, bundle.manifest(), e);
    } catch (RuntimeException e) {
      return reject(started, origin, name, version, sha, bundle.manifest(),
          new InvalidModelException("payload does not load: " + e, e));
    }
    if (existing != null && existing.verified) {
      existing.model = verified.model();
      rewindsAsked.remove(name + "@" + version);
    } else {
      s.versions.put(version, new VersionEntry(version, sha, bundle.manifest(), origin,
          clock.instant(), true, NONE, bundle.isSigned() ? "verified, signed by "
              + bundle.manifest().signingKeyId() : "verified, unsigned (allowed)",
          verified.model()));
    }
    Serving before = s.serving;
    recompute(s);
    Serving after = s.serving;
    if (after.active() != null && after.active().version() == version
        && (before.active() == null || before.active().version() != version)) {
      return record(started, origin, name, version, LoadAttempt.Outcome.ACTIVATED, NONE,
          before.active() == null ? "first model" : "replaces version "
              + before.active().version());
    }
    if (after.shadow() != null && after.shadow().version() == version) {
      return record(started, origin, name, version, LoadAttempt.Outcome.VERIFIED, NONE,
          "verified; shadowing active version " + versionOf(after.active()));
    }
    return record(started, origin, name, version, LoadAttempt.Outcome.VERIFIED, NONE,
        "verified; not served: " + whyNotServed(s, version));
  }

  private LoadAttempt offerPolicy(String name, byte[] value, String origin, long started) {
    NameState s = state(name);
    if (value == null) {
      s.topicPolicy = null;
    } else {
      ModelPolicy policy;
      try {
        policy = ModelPolicy.decode(value);
        if (!policy.modelName().equals(name)) {
          throw new IllegalArgumentException("record for '" + name + "' names '"
              + policy.modelName() + "'");
        }
      } catch (IllegalArgumentException e) {
        return record(started, origin, name, null, LoadAttempt.Outcome.REJECTED, "bad_policy",
            e.getMessage());
      }
      s.topicPolicy = policy;
    }
    ActiveModel before = s.serving.active();
    recompute(s);
    ModelPolicy p = effectivePolicy(name, s.topicPolicy);
    ActiveModel after = s.serving.active();
    if (after != null && (before == null || before.version() != after.version())) {
      record(started, origin, name, after.version(), LoadAttempt.Outcome.ACTIVATED, NONE,
          "by policy " + describe(p) + "; replaces " + versionOf(before));
    }
    return record(started, origin, name, null, LoadAttempt.Outcome.POLICY, NONE,
        "policy " + describe(p) + "; active " + versionOf(s.serving.active()) + ", shadow "
            + versionOf(s.serving.shadow()));
  }

  private LoadAttempt reject(long started, String origin, String name, Long version, String sha,
      ModelManifest manifest, InvalidModelException e) {
    String code = e.kind().name().toLowerCase(Locale.ROOT);
    if (name != null && version != null) {
      NameState s = state(name);
      VersionEntry existing = s.versions.get(version);
      // A verified version is never replaced; a rejected one may be superseded by a valid one.
      if (existing == null || !existing.verified) {
        s.versions.put(version, new VersionEntry(version, sha, manifest, origin, clock.instant(),
            false, code, e.getMessage(), null));
      }
    }
    return record(started, origin, name, version, LoadAttempt.Outcome.REJECTED, code,
        e.getMessage());
  }

  // ---- policy evaluation ----------------------------------------------------------------------

  private ModelPolicy effectivePolicy(String name, ModelPolicy topicPolicy) {
    if (topicPolicy != null) {
      return topicPolicy;
    }
    ModelPolicy configured = configPolicies.get(name);
    return configured != null ? configured : ModelPolicy.followNewest(name);
  }

  private boolean wanted(NameState s, long version) {
    ModelPolicy p = effectivePolicy(s.name, s.topicPolicy);
    return p.pin() != null && p.pin() == version || p.shadow() != null && p.shadow() == version
        || p.pin() == null && newestPromoted(s, p) == version;
  }

  private static long newestPromoted(NameState s, ModelPolicy p) {
    for (VersionEntry e : s.versions.descendingMap().values()) {
      if (e.verified && (e.manifest.promoted() || p.approved().contains(e.version))) {
        return e.version;
      }
    }
    return -1;
  }

  /** Recomputes what a name serves from its versions and policy; publishes one snapshot. */
  private void recompute(NameState s) {
    ModelPolicy p = effectivePolicy(s.name, s.topicPolicy);
    Serving current = s.serving;
    String note = null;
    Long targetVersion = p.pin() != null ? p.pin() : null;
    if (targetVersion == null) {
      long newest = newestPromoted(s, p);
      targetVersion = newest < 0 ? null : newest;
      if (targetVersion == null) {
        note = s.versions.isEmpty() ? "no version seen yet" : "no verified, promoted version";
      }
    }
    ActiveModel active = current.active();
    if (targetVersion != null) {
      VersionEntry e = s.versions.get(targetVersion);
      if (e == null || !e.verified) {
        note = "pinned version " + targetVersion + (e == null ? " not seen"
            : " was rejected (" + e.reason + ")") + "; keeping " + versionOf(active);
      } else if (e.model == null) {
        note = "version " + targetVersion + " is not loaded; re-reading the models topic";
        askRewind(s.name, targetVersion);
      } else if (active == null || active.version() != targetVersion) {
        active = new ActiveModel(e.model, e.manifest, clock.instant());
      }
    }
    ActiveModel shadow = null;
    if (p.shadow() != null && (active == null || active.version() != p.shadow())) {
      VersionEntry e = s.versions.get(p.shadow());
      if (e == null || !e.verified) {
        note = (note == null ? "" : note + "; ") + "shadow version " + p.shadow()
            + (e == null ? " not seen" : " was rejected");
      } else if (e.model == null) {
        askRewind(s.name, p.shadow());
      } else {
        shadow = current.shadow() != null && current.shadow().version() == p.shadow()
            ? current.shadow() : new ActiveModel(e.model, e.manifest, clock.instant());
      }
    }
    s.serving = new Serving(active, shadow, note);
    evict(s);
  }

  private void evict(NameState s) {
    boolean routed = router.modelNames().contains(s.name);
    Serving serving = s.serving;
    int kept = 0;
    for (VersionEntry e : s.versions.descendingMap().values()) {
      if (!e.verified || e.model == null) {
        continue;
      }
      boolean serves = serving.active() != null && serving.active().version() == e.version
          || serving.shadow() != null && serving.shadow().version() == e.version;
      if (!serves && (!routed || kept >= residentVersions)) {
        e.model = null;
      } else if (!serves) {
        kept++;
      }
    }
  }

  private void askRewind(String name, long version) {
    if (rewindsAsked.add(name + "@" + version)) {
      LOG.info("model '{}' version {} is wanted but not loaded; re-reading the models topic",
          name, version);
      rewindWanted = true;
    }
  }

  private String whyNotServed(NameState s, long version) {
    ModelPolicy p = effectivePolicy(s.name, s.topicPolicy);
    VersionEntry e = s.versions.get(version);
    if (p.pin() != null) {
      return "pinned to version " + p.pin();
    }
    if (e != null && !e.manifest.promoted() && !p.approved().contains(version)) {
      return "held candidate (" + e.manifest.promotion().reason() + ")";
    }
    if (!router.modelNames().contains(s.name)) {
      return "no series is routed to '" + s.name + "'";
    }
    return "older than active version " + versionOf(s.serving.active());
  }

  private static String describe(ModelPolicy p) {
    return (p.pin() == null ? "follow-newest" : "pin " + p.pin())
        + (p.shadow() == null ? "" : ", shadow " + p.shadow())
        + (p.approved().isEmpty() ? "" : ", approved " + p.approvedSorted())
        + " (" + p.updatedBy() + ")";
  }

  private static String versionOf(ActiveModel m) {
    return m == null ? "none" : "v" + m.version();
  }

  private NameState state(String name) {
    return names.computeIfAbsent(name, NameState::new);
  }

  private LoadAttempt record(long started, String origin, String name, Long version,
      LoadAttempt.Outcome outcome, String reasonCode, String reason) {
    LoadAttempt attempt = new LoadAttempt(clock.instant(), origin, name, version, outcome,
        reasonCode, reason, Duration.ofNanos(System.nanoTime() - started));
    attempts.addFirst(attempt);
    while (attempts.size() > HISTORY) {
      attempts.removeLast();
    }
    switch (outcome) {
      case ACTIVATED -> LOG.info("model '{}' version {} active ({}) from {}", name, version,
          reason, origin);
      case REJECTED -> LOG.warn("model '{}' version {} REJECTED [{}] from {}: {}", name, version,
          reasonCode, origin, reason);
      case VERIFIED, POLICY -> LOG.info("model '{}' version {} from {}: {}", name, version,
          origin, reason);
      case IGNORED -> LOG.debug("models topic record from {} ignored: {}", origin, reason);
    }
    listener.accept(attempt);
    return attempt;
  }
}
