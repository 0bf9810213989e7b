package dev.streamvae.scorer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry's verification and policies, with real models and no broker. */
class ModelRegistryTest {

  private final List<LoadAttempt> seen = new ArrayList<>();
  private int offset;

  private ModelRegistry registry(List<String> routes, Map<String, List<String>> features,
      Map<String, ModelPolicy> policies, int resident) {
    EnvelopeVerifier verifier = new EnvelopeVerifier(TestEnvelopes.trusted(), false,
        10_000_000, 1e-4, 64, features);
    return new ModelRegistry(new SeriesRouter("m", routes), "m", verifier, policies, resident,
        Clock.systemUTC(), seen::add);
  }

  private LoadAttempt offer(ModelRegistry r, String key, byte[] value) {
    return r.offer(key, value, "models-0@" + offset++);
  }

  private LoadAttempt offer(ModelRegistry r, dev.streamvae.vae.ModelBundle b) {
    return offer(r, b.manifest().modelName() + "@" + b.manifest().version(), b.toBytes());
  }

  private static long active(ModelRegistry r, String name) {
    return r.active(name).map(ActiveModel::version).orElse(-1L);
  }

  @Test
  void onlyFullyVerifiedEnvelopesServeAndEveryRejectionSaysWhy() {
    ModelRegistry r = registry(List.of(), Map.of("m", List.of("value")), Map.of(), 3);
    assertThat(offer(r, TestEnvelopes.signed("m", 1)).outcome())
        .isEqualTo(LoadAttempt.Outcome.ACTIVATED);
    record Bad(String code, LoadAttempt attempt) {}
    List<Bad> bad = List.of(
        new Bad("checksum", offer(r, "m@2", TestEnvelopes.corrupt("m", 2))),
        new Bad("unsigned", offer(r, TestEnvelopes.unsigned("m", 3))),
        new Bad("untrusted_key", offer(r, TestEnvelopes.signedByStranger("m", 4))),
        new Bad("incompatible", offer(r, TestEnvelopes.wrongFeatures("m", 5))),
        new Bad("reference_mismatch", offer(r, TestEnvelopes.referencesDoNotReproduce("m", 6))),
        new Bad("malformed", offer(r, "m@7", "not a model".getBytes())));
    for (Bad b : bad) {
      assertThat(b.attempt().outcome()).as(b.code()).isEqualTo(LoadAttempt.Outcome.REJECTED);
      assertThat(b.attempt().reasonCode()).as(b.code()).isEqualTo(b.code());
      assertThat(b.attempt().reason()).as(b.code()).isNotBlank();
      assertThat(active(r, "m")).as("after " + b.code()).isEqualTo(1);
    }
    // Rejected versions are listed with their reasons, under the name and version they claimed.
    ModelRegistry.NameView view = r.view("m").orElseThrow();
    assertThat(view.versions()).extracting(ModelRegistry.VersionView::version)
        .containsExactly(6L, 5L, 4L, 3L, 2L, 1L);
    assertThat(view.versions()).filteredOn(v -> v.version() > 1)
        .allSatisfy(v -> assertThat(v.status()).isEqualTo("REJECTED"));
    // A valid envelope may take a version number whose first envelope was rejected.
    assertThat(offer(r, TestEnvelopes.signed("m", 2)).outcome())
        .isEqualTo(LoadAttempt.Outcome.ACTIVATED);
    assertThat(active(r, "m")).isEqualTo(2);
    // ... but a verified version never changes.
    LoadAttempt dup = offer(r, TestEnvelopes.heldCandidate("m", 2));
    assertThat(dup.reasonCode()).isEqualTo("duplicate_version");
    assertThat(offer(r, TestEnvelopes.signed("m", 2)).outcome())
        .isEqualTo(LoadAttempt.Outcome.IGNORED);
  }

  @Test
  void unsignedEnvelopesServeOnlyWhenExplicitlyAllowed() {
    ModelRegistry allowing = new ModelRegistry(new SeriesRouter("m", List.of()), "m",
        new EnvelopeVerifier(TestEnvelopes.trusted(), true, 10_000_000, 1e-4, 64, Map.of()),
        Map.of(), 3, Clock.systemUTC(), seen::add);
    assertThat(offer(allowing, TestEnvelopes.unsigned("m", 1)).outcome())
        .isEqualTo(LoadAttempt.Outcome.ACTIVATED);
    // A signature, when present, is still checked.
    assertThat(offer(allowing, TestEnvelopes.signedByStranger("m", 2)).reasonCode())
        .isEqualTo("untrusted_key");
    LoadAttempt tooLarge = new ModelRegistry(new SeriesRouter("m", List.of()), "m",
        new EnvelopeVerifier(TestEnvelopes.trusted(), false, 1024, 1e-4, 64, Map.of()),
        Map.of(), 3, Clock.systemUTC(), seen::add).offer("m", TestEnvelopes.signed("m", 1)
            .toBytes(), "x");
    assertThat(tooLarge.reasonCode()).isEqualTo("too_large");
  }

  @Test
  void pinRollbackShadowAndPromoteFollowPolicyRecords() {
    ModelRegistry r = registry(List.of(), Map.of(), Map.of(), 3);
    for (long v = 1; v <= 3; v++) {
      offer(r, TestEnvelopes.signed("m", v));
    }
    assertThat(active(r, "m")).isEqualTo(3);
    // Roll back: pin an older version.
    ModelPolicy pin1 = r.policy("m").withPin(1L, 1, "test");
    assertThat(offer(r, pin1.key(), pin1.encode()).outcome())
        .isEqualTo(LoadAttempt.Outcome.POLICY);
    assertThat(active(r, "m")).isEqualTo(1);
    assertThat(seen).anyMatch(a -> a.outcome() == LoadAttempt.Outcome.ACTIVATED
        && a.version() == 1L && a.reason().startsWith("by policy pin 1"));
    // While pinned, a newer version is verified but does not serve.
    LoadAttempt v4 = offer(r, TestEnvelopes.signed("m", 4));
    assertThat(v4.outcome()).isEqualTo(LoadAttempt.Outcome.VERIFIED);
    assertThat(v4.reason()).contains("pinned to version 1");
    assertThat(active(r, "m")).isEqualTo(1);
    // Shadow the newest; unpin: follow the newest again.
    ModelPolicy shadow = r.policy("m").withShadow(4L, 2, "test");
    offer(r, shadow.key(), shadow.encode());
    assertThat(r.shadow("m").map(ActiveModel::version)).contains(4L);
    ModelPolicy unpinned = r.policy("m").withPin(null, 3, "test");
    offer(r, unpinned.key(), unpinned.encode());
    assertThat(active(r, "m")).isEqualTo(4);
    assertThat(r.shadow("m")).as("the shadow is the active version now").isEmpty();
    // A held candidate is verified, shadowable, and serves only once promoted.
    ModelPolicy clear = r.policy("m").withShadow(null, 4, "test");
    offer(r, clear.key(), clear.encode());
    LoadAttempt held = offer(r, TestEnvelopes.heldCandidate("m", 5));
    assertThat(held.reason()).contains("held candidate");
    assertThat(active(r, "m")).isEqualTo(4);
    ModelPolicy promote = r.policy("m").promote(5, 5, "test");
    offer(r, promote.key(), promote.encode());
    assertThat(active(r, "m")).isEqualTo(5);
    // A tombstone for the policy falls back to configuration (here: follow newest).
    offer(r, promote.key(), null);
    assertThat(r.policy("m").updatedBy()).isEqualTo("default");
    assertThat(active(r, "m")).as("v5 is held again without its approval").isEqualTo(4);
  }

  @Test
  void configurationPinsUntilAPolicyRecordSaysOtherwise() {
    ModelRegistry r = registry(List.of(), Map.of(), Map.of("m",
        ModelPolicy.followNewest("m").withPin(2L, 0, "config")), 3);
    for (long v = 1; v <= 3; v++) {
      offer(r, TestEnvelopes.signed("m", v));
    }
    assertThat(active(r, "m")).isEqualTo(2);
    ModelPolicy follow = r.policy("m").withPin(null, 1, "test");
    offer(r, follow.key(), follow.encode());
    assertThat(active(r, "m")).isEqualTo(3);
  }

  @Test
  void aPinnedVersionWhoseModelWasDroppedIsReloadedFromAReplay() {
    ModelRegistry r = registry(List.of(), Map.of(), Map.of(), 1);
    List<byte[]> topic = new ArrayList<>();
    for (long v = 1; v <= 4; v++) {
      topic.add(TestEnvelopes.signed("m", v).toBytes());
      offer(r, "m@" + v, topic.get(topic.size() - 1));
    }
    assertThat(r.view("m").orElseThrow().versions())
        .filteredOn(ModelRegistry.VersionView::resident).hasSizeLessThanOrEqualTo(2);
    ModelPolicy pin1 = r.policy("m").withPin(1L, 1, "test");
    offer(r, pin1.key(), pin1.encode());
    assertThat(active(r, "m")).as("v1 is not loaded yet: v4 keeps serving").isEqualTo(4);
    assertThat(r.takeRewindRequest()).isTrue();
    assertThat(r.takeRewindRequest()).isFalse();
    for (int i = 0; i < topic.size(); i++) {
      offer(r, "m@" + (i + 1), topic.get(i));
    }
    offer(r, pin1.key(), pin1.encode());
    assertThat(active(r, "m")).isEqualTo(1);
  }

  @Test
  void routesSendSeriesToTheirModelsAndReportTheRest() {
    SeriesRouter router = new SeriesRouter("default", List.of("cpu:series:host-1",
        "mem:prefix:db-", "cpu:regex:web-[0-9]+", "mem:prefix:web-"));
    assertThat(router.route("host-1")).contains("cpu");
    assertThat(router.route("db-7")).contains("mem");
    assertThat(router.route("web-12")).contains("cpu");
    assertThat(router.route("web-x")).contains("mem");
    assertThat(router.route("other")).isEmpty();
    assertThat(router.modelNames()).containsExactlyInAnyOrder("cpu", "mem");
    assertThat(new SeriesRouter("default", List.of()).route("anything")).contains("default");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new SeriesRouter("d", List.of("cpu:glob:*")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu:glob:*");
  }
}
