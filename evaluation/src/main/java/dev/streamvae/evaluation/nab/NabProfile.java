package dev.streamvae.evaluation.nab;

import java.util.List;
import java.util.Objects;

/**
 * One NAB application profile: the weights of a true positive, a false positive and a false
 * negative (NAB's {@code config/profiles.json}; the true-negative weight is unused by NAB's scorer
 * and omitted here).
 *
 * @param name the profile's name as NAB spells it
 * @param tpWeight weight of a detection at the very start of a window
 * @param fpWeight weight of a detection far from any window (it is subtracted)
 * @param fnWeight weight of a window without any detection (it is subtracted)
 */
public record NabProfile(String name, double tpWeight, double fpWeight, double fnWeight) {

  /** NAB's {@code standard} profile: TP 1.0, FP 0.11, FN 1.0. */
  public static final NabProfile STANDARD = new NabProfile("standard", 1.0, 0.11, 1.0);
  /** NAB's {@code reward_low_FP_rate}: false positives cost twice as much (0.22). */
  public static final NabProfile REWARD_LOW_FP_RATE =
      new NabProfile("reward_low_FP_rate", 1.0, 0.22, 1.0);
  /** NAB's {@code reward_low_FN_rate}: a missed window costs twice as much (2.0). */
  public static final NabProfile REWARD_LOW_FN_RATE =
      new NabProfile("reward_low_FN_rate", 1.0, 0.11, 2.0);
  /** The three profiles, in the order of NAB's {@code config/profiles.json}. */
  public static final List<NabProfile> ALL =
      List.of(STANDARD, REWARD_LOW_FP_RATE, REWARD_LOW_FN_RATE);

  /** Checks the weights. */
  public NabProfile {
    Objects.requireNonNull(name, "name");
    if (!(tpWeight > 0) || !(fpWeight >= 0) || !(fnWeight >= 0) || !Double.isFinite(tpWeight)
        || !Double.isFinite(fpWeight) || !Double.isFinite(fnWeight)) {
      throw new IllegalArgumentException("profile " + name + ": weights must be finite, tp > 0,"
          + " fp and fn >= 0");
    }
  }

  /** The profile of that name. */
  public static NabProfile named(String name) {
    for (NabProfile p : ALL) {
      if (p.name.equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown NAB profile '" + name + "'");
  }
}
