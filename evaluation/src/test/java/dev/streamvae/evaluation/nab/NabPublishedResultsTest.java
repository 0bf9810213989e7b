package dev.streamvae.evaluation.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Agreement with NAB's own scorer on NAB's published detector results. Needs a copy of NAB's
 * {@code results/} folder (at least {@code randomCutForest/} and {@code numenta/}), named by
 * {@code -Dstreamvae.nab.results=DIR} or {@code $STREAMVAE_NAB_RESULTS} where DIR holds
 * {@code results/}; skipped otherwise. The expected figures are NAB's
 * {@code config/thresholds.json} and {@code results/final_results.json} at commit ea702d7.
 */
class NabPublishedResultsTest {

  private static Optional<Path> resultsRoot() {
    String dir = System.getProperty("streamvae.nab.results",
        System.getenv("STREAMVAE_NAB_RESULTS"));
    if (dir == null || !Files.isDirectory(Path.of(dir, "results", "randomCutForest"))) {
      return Optional.empty();
    }
    return Optional.of(Path.of(dir));
  }

  private static List<FileSweep> sweeps(NabCorpus corpus, Path root, String detector)
      throws Exception {
    List<FileSweep> out = new ArrayList<>();
    for (NabFile f : corpus.files()) {
      out.add(f.sweep(NabResults.read(root, detector, f)));
    }
    return out;
  }

  @Test
  void reproducesNabsRawScoresAtItsThresholdsAndItsFinalRcfScores() throws Exception {
    Optional<Path> corpusRoot = NabCorpus.locate();
    Optional<Path> results = resultsRoot();
    assumeTrue(corpusRoot.isPresent() && results.isPresent(),
        "needs the NAB corpus and -Dstreamvae.nab.results=DIR (NAB's results/ under DIR)");
    NabCorpus corpus = NabCorpus.load(corpusRoot.get());

    // NAB's runner scores at the thresholds stored in config/thresholds.json.
    List<FileSweep> rcf = sweeps(corpus, results.get(), "randomCutForest");
    assertThat(NabScorer.scoreAt(rcf, NabProfile.STANDARD, 0.4539184570312501).score())
        .isCloseTo(3.98356657241316, within(1e-9));
    List<FileSweep> numenta = sweeps(corpus, results.get(), "numenta");
    assertThat(NabScorer.scoreAt(numenta, NabProfile.REWARD_LOW_FP_RATE, 0.5751955032348636)
        .score()).isCloseTo(30.431072517124093, within(1e-9));

    // The sweep finds the same optimum NAB published for RCF (final_results.json).
    Map<NabProfile, Double> published = Map.of(NabProfile.STANDARD, 51.717054557073276,
        NabProfile.REWARD_LOW_FP_RATE, 38.360772142413786,
        NabProfile.REWARD_LOW_FN_RATE, 59.74876476310345);
    for (NabProfile p : NabProfile.ALL) {
      double raw = NabScorer.optimise(rcf, p).score();
      double normalised = NabScorer.normalise(raw, NabScorer.nullScore(rcf, p),
          NabScorer.perfectScore(rcf, p));
      assertThat(normalised).as(p.name()).isCloseTo(published.get(p), within(1e-6));
    }
  }
}
