package dev.streamvae.scorer.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How one model name chooses its active and shadow versions. Without a pin it follows the newest
 * verified version that is promoted (by the trainer's champion/challenger decision, or by an
 * operator through {@code approved}); a pin serves exactly that version (a rollback is a pin of an
 * older one); a shadow version is scored beside the active one and its scores go to the shadow
 * topic. Immutable.
 *
 * <p>Carried as a JSON control record on the models topic under the key {@code policy:NAME}, so
 * every scorer instance reads the same policy and a restarted instance has it before it scores.
 *
 * @param modelName the model name it governs
 * @param pin the version to serve, or null to follow the newest
 * @param shadow the version to score beside the active one, or null
 * @param approved held candidates an operator promoted
 * @param updatedAt when it was set, epoch milliseconds
 * @param updatedBy who set it (e.g. {@code http:promote}, {@code config})
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ModelPolicy(String modelName, Long pin, Long shadow, Set<Long> approved,
    long updatedAt, String updatedBy) {

  /** Key prefix of policy records on the models topic. */
  public static final String KEY_PREFIX = "policy:";

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** Validates the policy. */
  public ModelPolicy {
    Objects.requireNonNull(modelName, "modelName");
    approved = approved == null ? Set.of() : Set.copyOf(new TreeSet<>(approved));
    if (pin != null && pin < 0 || shadow != null && shadow < 0) {
      throw new IllegalArgumentException("versions are not negative");
    }
  }

  /** Follow the newest promoted version, no shadow. */
  public static ModelPolicy followNewest(String modelName) {
    return new ModelPolicy(modelName, null, null, Set.of(), 0, "default");
  }

  /** The models topic key of this policy's record. */
  public String key() {
    return KEY_PREFIX + modelName;
  }

  /** This policy with another pin (null: follow the newest). */
  public ModelPolicy withPin(Long version, long at, String by) {
    return new ModelPolicy(modelName, version, shadow, approved, at, by);
  }

  /** This policy with another shadow (null: none). */
  public ModelPolicy withShadow(Long version, long at, String by) {
    return new ModelPolicy(modelName, pin, version, approved, at, by);
  }

  /** This policy with a held candidate approved, unpinned and no longer shadowed. */
  public ModelPolicy promote(long version, long at, String by) {
    Set<Long> more = new TreeSet<>(approved);
    more.add(version);
    return new ModelPolicy(modelName, null, shadow != null && shadow == version ? null : shadow,
        more, at, by);
  }

  /** The control record's value. */
  public byte[] encode() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a control record's value.
   *
   * @throws IllegalArgumentException when it is not a policy
   */
  public static ModelPolicy decode(byte[] value) {
    try {
      return JSON.readValue(value, ModelPolicy.class);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a model policy: " + e.getMessage(), e);
    }
  }

  /** The approved versions, sorted, for display. */
  public List<Long> approvedSorted() {
    return List.copyOf(new TreeSet<>(approved));
  }
}
