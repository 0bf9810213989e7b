package dev.streamvae.benchmarks;

import dev.streamvae.vae.AnomalyModel;
import dev.streamvae.vae.ScoreBatch;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.util.Locale;
import java.util.Random;

/**
 * What the Monte Carlo sample count L buys in detection, for the lead's decision on its default
 * (docs/benchmarks.md): models of the default shape that differ only in L (training does not
 * depend on L, and the L noise vectors of a smaller L are the first rows of a larger one's), on a
 * noisy sine with injected spikes of 3 and 5 noise standard deviations. For each L: how far its
 * scores are from those of L = 128 (the reference), as a fraction of the normal windows' score
 * spread; its own calibrated threshold's false-positive rate on clean windows and recall on the
 * windows that end at a spike; and how many decisions differ from the reference model's.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
 *     dev.streamvae.benchmarks.McSamplesStudy [epochs [seed]]
 * </pre>
 */
public final class McSamplesStudy {

  private static final int[] SAMPLE_COUNTS = {1, 2, 4, 8, 32, 128};
  private static final int TEST_RECORDS = 20_000;
  private static final int SPIKE_EVERY = 97;
  private static final double NOISE = 0.3;

  private McSamplesStudy() {}

  /** Prints one line per L. */
  public static void main(String[] args) {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    // The seed fixes the weights' initialisation and the L noise vectors: with one seed the
    // difference between two L is one draw of noise vectors, so compare several seeds.
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 11;
    int windowLength = VaeConfig.builder().build().windowLength();
    // Test series: the training distribution (another seed) with spikes at every 97th record,
    // alternately 3 and 5 noise standard deviations.
    double[][] values = Fixtures.sine(TEST_RECORDS, 5);
    boolean[] spike = new boolean[TEST_RECORDS];
    Random random = new Random(6);
    for (int t = SPIKE_EVERY; t < TEST_RECORDS; t += SPIKE_EVERY) {
      spike[t] = true;
      double size = (t / SPIKE_EVERY) % 2 == 0 ? 3 : 5;
      values[t][0] += (random.nextBoolean() ? 1 : -1) * size * NOISE;
    }
    int count = TEST_RECORDS - windowLength + 1;
    float[][] windows = new float[count][windowLength];
    boolean[] positive = new boolean[count];
    boolean[] clean = new boolean[count];
    for (int s = 0; s < count; s++) {
      boolean any = false;
      for (int t = 0; t < windowLength; t++) {
        windows[s][t] = (float) values[s + t][0];
        any |= spike[s + t];
      }
      positive[s] = spike[s + windowLength - 1];
      clean[s] = !any;
    }

    int n = SAMPLE_COUNTS.length;
    AnomalyModel[] models = new AnomalyModel[n];
    ScoreBatch[] scores = new ScoreBatch[n];
    for (int i = 0; i < n; i++) {
      VaeConfig config = VaeConfig.builder().mcSamples(SAMPLE_COUNTS[i]).epochs(epochs)
          .seed(seed).build();
      models[i] = VaeTrainer.train(Fixtures.trainingSet(8_000, config), config, null).model();
      scores[i] = models[i].score(windows);
    }
    ScoreBatch reference = scores[n - 1];
    double mean = 0;
    int clean0 = 0;
    for (int s = 0; s < count; s++) {
      if (clean[s]) {
        mean += reference.anomalyScore(s);
        clean0++;
      }
    }
    mean /= clean0;
    double var = 0;
    for (int s = 0; s < count; s++) {
      if (clean[s]) {
        double d = reference.anomalyScore(s) - mean;
        var += d * d;
      }
    }
    double spread = Math.sqrt(var / clean0);
    System.out.printf(Locale.ROOT, "seed %d, %d epochs; %d test windows: %d clean, %d ending at a spike; clean "
        + "windows' score spread (L=128) %.3f nats%n", seed, epochs, count, clean0, countTrue(positive), spread);
    System.out.println("   L  rms(score - score_L128)/spread  threshold  false-pos(clean)  "
        + "recall(3sd)  recall(5sd)  decisions != L128");
    for (int i = 0; i < n; i++) {
      double sq = 0;
      int falsePositives = 0;
      int differ = 0;
      int[] hits = new int[2];
      int[] totals = new int[2];
      for (int s = 0; s < count; s++) {
        double d = scores[i].anomalyScore(s) - reference.anomalyScore(s);
        if (clean[s]) {
          sq += d * d;
          falsePositives += scores[i].isAnomaly(s) ? 1 : 0;
        }
        if (positive[s]) {
          int size = ((s + windowLength - 1) / SPIKE_EVERY) % 2 == 0 ? 0 : 1;
          totals[size]++;
          hits[size] += scores[i].isAnomaly(s) ? 1 : 0;
        }
        differ += scores[i].isAnomaly(s) != reference.isAnomaly(s) ? 1 : 0;
      }
      System.out.printf(Locale.ROOT, "%4d  %30.3f  %9.2f  %15.4f  %11.3f  %11.3f  %17d%n",
          SAMPLE_COUNTS[i], Math.sqrt(sq / clean0) / spread, models[i].threshold(),
          (double) falsePositives / clean0, (double) hits[0] / totals[0],
          (double) hits[1] / totals[1], differ);
    }
  }

  private static int countTrue(boolean[] a) {
    int c = 0;
    for (boolean b : a) {
      c += b ? 1 : 0;
    }
    return c;
  }
}
