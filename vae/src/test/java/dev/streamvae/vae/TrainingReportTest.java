package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingReportTest {

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void theReportIsSelfContainedAndHasEverySection(@TempDir Path dir) throws Exception {
    int length = 400;
    double[][] values = Synthetic.sine(length, 4);
    values[300][0] += 30; // one glaring spike, so the worst windows are known
    TrainingSet data = TrainingSet.builder(List.of("value"), 16, 1)
        .addSeries("s", Synthetic.timestamps(length), values).build();
    TrainedModel trained = VaeTrainer.train(data, VaeConfig.builder().windowLength(16)
        .hiddenSizes(16, 8).latentDim(2).epochs(3).batchSize(64).learningRate(3e-3)
        .mcSamples(4).validationFraction(0.2).build(), null);
    Path file = dir.resolve("r.html");
    TrainingReport.write(trained, "run <1>", file);
    String html = Files.readString(file);

    // No network: nothing is fetched (the only URL is the SVG namespace), no script.
    assertThat(html.replace("http://www.w3.org/2000/svg", "").replace("http-equiv", ""))
        .doesNotContain("http", "src=");
    assertThat(html).doesNotContain("<script").contains("run &lt;1&gt;");
    assertThat(html).contains("Loss per epoch", "validation loss", "Anomaly scores",
        "Latent means, PCA", "sampled from the prior", "Interpolation", "Worst-scored");
    // 2 epoch charts, histogram, scatter, 6 prior samples, 7 interpolation steps, 6 worst.
    assertThat(count(html, "<svg ")).isEqualTo(2 + 1 + 1 + 6 + 7 + 6);
    // One dot per scored window; red where the window scores above the threshold.
    ScoreBatch scores = trained.model().score(data.windows());
    int above = 0;
    for (int i = 0; i < scores.size(); i++) {
      above += scores.isAnomaly(i) ? 1 : 0;
    }
    assertThat(count(html, "<circle ")).isEqualTo(data.windowCount());
    assertThat(count(html, "<circle [^>]*#d62728")).isEqualTo(above);
    // The worst window holds the spike (windows 285..300 do).
    Matcher worst = Pattern.compile("window (\\d+), score").matcher(html);
    assertThat(worst.find()).isTrue();
    assertThat(Integer.parseInt(worst.group(1))).isBetween(285, 300);

    // With labels the colours follow the labels.
    boolean[] labels = new boolean[data.windowCount()];
    labels[3] = true;
    labels[7] = true;
    String labelled = TrainingReport.html(trained, "labelled", labels);
    assertThat(count(labelled, "<circle [^>]*#d62728")).isEqualTo(2);
  }

  @Test
  void pcaFindsTheDirectionOfMostVariance() {
    double[][] x = new double[200][];
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < x.length; i++) {
      double a = r.nextGaussian() * 10;
      double b = r.nextGaussian();
      // Most variance along (1, 1, 0) / sqrt(2), little along (0, 0, 1).
      x[i] = new double[] {a / Math.sqrt(2), a / Math.sqrt(2), b};
    }
    double[][] p = TrainingReport.pca2(x);
    double var0 = 0;
    double var1 = 0;
    for (double[] q : p) {
      var0 += q[0] * q[0] / p.length;
      var1 += q[1] * q[1] / p.length;
    }
    assertThat(var0).isGreaterThan(50);
    assertThat(var1).isLessThan(2);
  }
}
