package dev.streamvae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamvae.commandline.CommandLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code anomaly bench}'s argument checks: one line and exit 2, before any broker starts. */
class BenchCommandTest {

  private static int run(StringWriter err, String... args) {
    CommandLine cli = CommandLines.configure(new CommandLine(new AnomalyCli()));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void rejectsATinyBacklog() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--records", "5")).isEqualTo(CommandLines.USAGE_ERROR);
    assertThat(err.toString()).contains("--records").doesNotContain("Exception");
  }

  @Test
  void rejectsNegativeWarmUpRounds() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--warm-up-rounds", "-1"))
        .isEqualTo(CommandLines.USAGE_ERROR);
    assertThat(err.toString()).contains("--warm-up-rounds").doesNotContain("\tat ");
  }

  @Test
  void rejectsAnUnknownGuarantee() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--guarantee", "sometimes")).isEqualTo(CommandLines.USAGE_ERROR);
    assertThat(err.toString()).contains("--guarantee").doesNotContain("\tat ");
  }

  @Test
  void rejectsAnOfferedRateBelowOneRecordPerSecond() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--offered-rate", "0.5")).isEqualTo(CommandLines.USAGE_ERROR);
    assertThat(err.toString()).contains("--offered-rate").doesNotContain("\tat ");
  }
}
