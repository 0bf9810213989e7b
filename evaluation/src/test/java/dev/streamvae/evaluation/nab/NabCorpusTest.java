package dev.streamvae.evaluation.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real NAB corpus, read from {@code shared/datasets/nab} above the working directory (or
 * {@code -Dstreamvae.nab.data=DIR}, or {@code $STREAMVAE_NAB_DATA}); skipped when absent.
 */
class NabCorpusTest {

  private static NabCorpus corpus;

  @BeforeAll
  static void load() throws Exception {
    Optional<Path> root = NabCorpus.locate();
    assumeTrue(root.isPresent(), "NAB corpus not found (looked for shared/datasets/nab above "
        + Path.of("").toAbsolutePath() + ", -D" + NabCorpus.PROPERTY + " and $"
        + NabCorpus.ENV + "); skipping");
    corpus = NabCorpus.load(root.get());
  }

  @Test
  void readsTheWholeCorpus() {
    // 58 files; 116 windows over 52 of them; 365,558 records (the dataset README's 365,551 is
    // a line count that misses 7 files' unterminated last line).
    assertThat(corpus.files()).hasSize(58);
    assertThat(corpus.windowCount()).isEqualTo(116);
    assertThat(corpus.files().stream().filter(f -> f.windows().isEmpty())).hasSize(6);
    assertThat(corpus.files().stream().mapToInt(NabFile::size).sum()).isEqualTo(365_558);
    NabFile taxi = corpus.files().stream()
        .filter(f -> f.relativePath().equals("realKnownCause/nyc_taxi.csv")).findFirst()
        .orElseThrow();
    assertThat(taxi.size()).isEqualTo(10_320);
    assertThat(taxi.windows()).hasSize(5);
    assertThat(taxi.probationaryLength()).isEqualTo(750); // min(1548, 750)
    assertThat(taxi.timestampText()[0]).isEqualTo("2014-07-01 00:00:00");
    assertThat(taxi.values()[0]).isEqualTo(10844.0);
  }

  @Test
  void labelsAreOneExactlyInsideWindows() {
    for (NabFile f : corpus.files()) {
      int[] labels = f.labels();
      java.time.LocalDateTime[] ts = f.timestamps();
      long ones = java.util.Arrays.stream(labels).filter(l -> l == 1).count();
      assertThat(ones == 0).as(f.relativePath()).isEqualTo(f.windows().isEmpty());
      for (int i = 0; i < labels.length; i++) {
        final int k = i;
        boolean inside = f.windows().stream()
            .anyMatch(w -> !ts[k].isBefore(w.start()) && !ts[k].isAfter(w.end()));
        assertThat(labels[i] == 1).isEqualTo(inside);
      }
    }
  }

  @Test
  void perfectDetectorScores100AndNullDetector0OnTheRealCorpus() {
    List<FileSweep> perfect = new ArrayList<>();
    List<FileSweep> none = new ArrayList<>();
    for (NabFile f : corpus.files()) {
      double[] s = new double[f.size()];
      for (AnomalyWindow w : f.windows()) {
        s[java.util.Arrays.asList(f.timestamps()).indexOf(w.start())] = 1.0;
      }
      FileSweep sweep = f.sweep(s);
      // No NAB window reaches into a probationary period, so all 116 can be found.
      assertThat(sweep.scorableWindowCount()).isEqualTo(f.windows().size());
      perfect.add(sweep);
      none.add(f.sweep(new double[f.size()]));
    }
    for (NabProfile p : NabProfile.ALL) {
      double perfectRaw = NabScorer.perfectScore(perfect, p);
      double nullRaw = NabScorer.nullScore(perfect, p);
      assertThat(perfectRaw).isEqualTo(116 * p.tpWeight());
      assertThat(nullRaw).isEqualTo(-116 * p.fnWeight());
      assertThat(NabScorer.normalise(NabScorer.optimise(perfect, p).score(), nullRaw,
          perfectRaw)).isCloseTo(100.0, within(1e-9));
      assertThat(NabScorer.normalise(NabScorer.optimise(none, p).score(), nullRaw,
          perfectRaw)).isCloseTo(0.0, within(1e-9));
    }
  }
}
