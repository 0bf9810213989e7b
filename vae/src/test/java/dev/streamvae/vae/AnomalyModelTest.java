package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class AnomalyModelTest {

  private static final Logger LOG = LoggerFactory.getLogger(AnomalyModelTest.class);

  private static AnomalyModel model() {
    return Synthetic.sineModel().model();
  }

  private static float[][] heldOut(int count) {
    float[][] all = Synthetic.windows(Synthetic.sine(count + Synthetic.WINDOW, 5),
        Synthetic.WINDOW);
    return Arrays.copyOf(all, count);
  }

  @Test
  void describesItself() {
    AnomalyModel m = model();
    assertThat(m.features()).containsExactly("value");
    assertThat(m.windowLength()).isEqualTo(Synthetic.WINDOW);
    assertThat(m.featureCount()).isEqualTo(1);
    assertThat(m.latentDim()).isEqualTo(4);
    assertThat(m.mcSamples()).isEqualTo(8);
    assertThat(m.threshold()).isFinite();
  }

  @Test
  void emptyInputGivesEmptyBatch() {
    ScoreBatch batch = model().score(new float[0][]);
    assertThat(batch.size()).isZero();
    assertThat(batch.threshold()).isEqualTo(model().threshold());
  }

  @Test
  void rejectsWrongRowLength() {
    assertThatThrownBy(() -> model().score(new float[][] {new float[Synthetic.WINDOW - 1]}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected");
  }

  @Test
  void scoresAreIndependentOfBatchComposition() {
    float[][] windows = heldOut(100);
    ScoreBatch batch = model().score(windows);
    for (int i : new int[] {0, 17, 99}) {
      ScoreBatch alone = model().score(new float[][] {windows[i]});
      assertThat(alone.logProbability(0)).isCloseTo(batch.logProbability(i), within(1e-5));
      assertThat(alone.latentMean(0)).containsExactly(batch.latentMean(i),
          org.assertj.core.data.Offset.offset(1e-6f));
    }
    ScoreBatch reversed = model().score(reverse(windows));
    for (int i = 0; i < windows.length; i++) {
      assertThat(reversed.logProbability(windows.length - 1 - i))
          .isCloseTo(batch.logProbability(i), within(1e-5));
    }
  }

  @Test
  void nonFiniteWindowIsUnscoredWithoutDisturbingOthers() {
    float[][] windows = heldOut(3);
    ScoreBatch clean = model().score(windows);
    windows[1] = windows[1].clone();
    windows[1][4] = Float.NaN;
    ScoreBatch mixed = model().score(windows);
    assertThat(mixed.isScored(1)).isFalse();
    assertThat(mixed.isAnomaly(1)).isFalse();
    assertThat(mixed.logProbability(1)).isNaN();
    assertThat(mixed.latentMean(1)).containsOnly(Float.NaN);
    assertThat(mixed.isScored(0)).isTrue();
    assertThat(mixed.logProbability(0)).isCloseTo(clean.logProbability(0), within(1e-5));
    assertThat(mixed.logProbability(2)).isCloseTo(clean.logProbability(2), within(1e-5));
  }

  @Test
  void batchAccessorsAreConsistent() {
    ScoreBatch batch = model().score(heldOut(5));
    assertThat(batch.size()).isEqualTo(5);
    for (int i = 0; i < 5; i++) {
      assertThat(batch.anomalyScore(i)).isEqualTo(-batch.logProbability(i));
      assertThat(batch.isAnomaly(i)).isEqualTo(batch.anomalyScore(i) > batch.threshold());
      assertThat(batch.latentMean(i)).hasSize(4);
    }
    batch.latentMean(0)[0] = 1e9f;
    assertThat(batch.latentMean(0)[0]).isNotEqualTo(1e9f);
  }

  @Test
  void largeBatchesAreChunkedTransparently() {
    float[][] windows = heldOut(AnomalyModel.MAX_CHUNK + 37);
    ScoreBatch all = model().score(windows);
    ScoreBatch tail = model().score(Arrays.copyOfRange(windows, AnomalyModel.MAX_CHUNK,
        windows.length));
    assertThat(all.logProbability(AnomalyModel.MAX_CHUNK + 5))
        .isCloseTo(tail.logProbability(5), within(1e-5));
  }

  @Test
  void concurrentScoringMatchesSingleThreaded() throws Exception {
    AnomalyModel m = model();
    float[][] windows = heldOut(256);
    ScoreBatch expected = m.score(windows);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<ScoreBatch>>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Callable<List<ScoreBatch>> task = () -> {
          List<ScoreBatch> results = new ArrayList<>();
          for (int r = 0; r < 20; r++) {
            results.add(m.score(windows));
          }
          return results;
        };
        futures.add(pool.submit(task));
      }
      for (Future<List<ScoreBatch>> f : futures) {
        for (ScoreBatch got : f.get()) {
          for (int i = 0; i < windows.length; i++) {
            assertThat(got.logProbability(i)).isEqualTo(expected.logProbability(i));
            assertThat(got.latentMean(i)).containsExactly(expected.latentMean(i));
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void logsScoringSpeed() {
    AnomalyModel l8 = model();
    float[] eps = l8.eps();
    AnomalyModel l1 = new AnomalyModel(l8.features(), l8.windowLength(), l8.threshold(),
        l8.normaliser(), l8.network(), Arrays.copyOf(eps, l8.latentDim()));
    assertThat(l1.mcSamples()).isEqualTo(1);
    float[][] batch = heldOut(256);
    for (AnomalyModel m : List.of(l8, l1)) {
      for (int warm = 0; warm < 50; warm++) {
        m.score(batch);
      }
      int rounds = 100;
      long start = System.nanoTime();
      for (int r = 0; r < rounds; r++) {
        m.score(batch);
      }
      double microsPerWindow = (System.nanoTime() - start) / 1e3 / rounds / batch.length;
      long single = System.nanoTime();
      for (int r = 0; r < rounds; r++) {
        m.score(new float[][] {batch[r]});
      }
      double microsSingle = (System.nanoTime() - single) / 1e3 / rounds;
      LOG.info("scoring, L={}: {} us/window at batch 256, {} us for a single window",
          m.mcSamples(), String.format("%.2f", microsPerWindow),
          String.format("%.0f", microsSingle));
    }
  }

  private static float[][] reverse(float[][] rows) {
    float[][] out = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[rows.length - 1 - i];
    }
    return out;
  }
}
