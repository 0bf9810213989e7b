package dev.streamvae.evaluation.pointwise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The timestamp column reaches a conditional detector as epoch milliseconds when it parses. */
class CsvTimestampsTest {

  @Test
  void epochMillisIsoInstantsAndZonelessDateTimesParseAsUtc() {
    assertThat(CsvEvaluation.epochMillis(new String[] {"1000", "2000"}))
        .containsExactly(1000L, 2000L);
    assertThat(CsvEvaluation.epochMillis(new String[] {"2014-02-14 14:30:00",
        "2014-02-14T15:30:00", "2014-02-14T16:30:00Z", "2014-02-14T18:30:00+02:00"}))
        .containsExactly(1392388200000L, 1392391800000L, 1392395400000L, 1392395400000L);
    assertThat(CsvEvaluation.epochMillis(new String[] {"1000", "yesterday"})).isNull();
  }
}
