package dev.streamvae.dashboards;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class ExternalToolsTest {

  @Test
  void aMissingToolSkipsLocallyAndFailsOnCi() {
    Class<? extends Throwable> expected = ExternalTools.onCi()
        ? AssertionFailedError.class : TestAbortedException.class;
    assertThatThrownBy(() -> ExternalTools.require("streamvae-no-such-tool", "apt-get install x"))
        .isInstanceOf(expected)
        .hasMessageContaining("'streamvae-no-such-tool' is not installed")
        .hasMessageContaining("apt-get install x");
  }
}
