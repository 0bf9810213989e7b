package dev.streamvae.scorer.live;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Settings of the live page, {@code scorer.live.*}, validated when read.
 *
 * @param enabled whether {@code /live} and its feed exist (default true)
 * @param pointsPerSeries points kept per series, also the most {@code /live/data} returns
 * @param maxSeries series kept; the least recently updated one is dropped for a new one
 */
@ConfigurationProperties("scorer.live")
public record LiveConfig(
    @Bindable(defaultValue = "true") boolean enabled,
    @Bindable(defaultValue = "2000") int pointsPerSeries,
    @Bindable(defaultValue = "1000") int maxSeries) {

  /** Upper bound of both sizes, so a typo cannot ask for gigabytes. */
  public static final int LIMIT = 100_000;

  /** Validates the sizes; a mistake fails start-up with a message naming the setting. */
  public LiveConfig {
    if (pointsPerSeries < 10 || pointsPerSeries > LIMIT) {
      throw new IllegalArgumentException("scorer.live.points-per-series must be between 10 and "
          + LIMIT + ", was " + pointsPerSeries);
    }
    if (maxSeries < 1 || maxSeries > LIMIT) {
      throw new IllegalArgumentException("scorer.live.max-series must be between 1 and " + LIMIT
          + ", was " + maxSeries);
    }
  }
}
