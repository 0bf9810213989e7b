package dev.streamvae.vae;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A self-contained HTML report of one training run: inline SVG and CSS only, no script and no
 * network, so it opens anywhere, offline. Sections:
 *
 * <ol>
 *   <li>the configuration and the threshold;</li>
 *   <li>loss, reconstruction and KL per epoch (and the validation loss, when held back);</li>
 *   <li>the distribution of the training windows' anomaly scores with the threshold;</li>
 *   <li>the latent means projected to 2-D by PCA, coloured by label where labels are given,
 *       else by whether the window scores above the threshold;</li>
 *   <li>windows sampled from the prior and decoded, and an interpolation in latent space between
 *       the encodings of two real windows, decoded (the generative side of the model);</li>
 *   <li>the worst-scored training windows against their reconstructions.</li>
 * </ol>
 *
 * <p>Decoded windows are drawn in the data's units (the normaliser undone); for a model of
 * centred windows ({@link VaeConfig#centreWindows()}) prior samples have no level of their own
 * and are drawn centred, reconstructions get their window's mean back. At most
 * {@value #MAX_WINDOWS} evenly spaced windows are scored for the plots.
 */
public final class TrainingReport {

  static final int MAX_WINDOWS = 5000;
  /** {@code rows} copies of the condition of this timestamp; null for a plain model. */
  private static INDArray condition(AnomalyModel model, long timestamp, int rows) {
    if (!model.conditional()) {
      return null;
    }
    int c = model.conditioning().size();
    float[] values = new float[rows * c];
    for (int r = 0; r < rows; r++) {
      model.conditioning().encode(timestamp, model.conditionZone(), values, r * c);
    }
    return Nd4j.create(values, new long[] {rows, c}, 'c');
  }

  private static final int SAMPLES = 6;
  private static final int INTERPOLATION_STEPS = 7;
  private static final int WORST = 6;
  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
      "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f"};

  private TrainingReport() {}

  /** Writes the report of a run without labels. */
  public static void write(TrainedModel trained, String title, Path file) throws IOException {
    Files.writeString(file, html(trained, title, null), StandardCharsets.UTF_8);
  }

  /**
   * The report as an HTML document.
   *
   * @param labels one per training window ({@link TrainingSet#windows()} order), true where the
   *     window is known to be anomalous; null when there are no labels
   */
  public static String html(TrainedModel trained, String title, boolean[] labels) {
    AnomalyModel model = trained.model();
    VaeConfig config = trained.config();
    float[][] all = trained.data().windowsUnsafe();
    if (labels != null && labels.length != all.length) {
      throw new IllegalArgumentException(labels.length + " labels for " + all.length
          + " windows");
    }
    int[] rows = IntStream.range(0, Math.min(all.length, MAX_WINDOWS))
        .map(i -> (int) ((long) i * all.length / Math.min(all.length, MAX_WINDOWS))).toArray();
    float[][] windows = new float[rows.length][];
    long[] ends = trained.data().windowEndsUnsafe();
    long[] timestamps = new long[rows.length];
    for (int i = 0; i < rows.length; i++) {
      windows[i] = all[rows[i]];
      timestamps[i] = ends[rows[i]];
    }
    ScoreBatch scores = model.score(windows, timestamps);

    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
        .append(" style-src 'unsafe-inline'\"><title>").append(escape(title))
        .append("</title><style>body{font:14px sans-serif;margin:24px;max-width:1100px}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;")
        .append("text-align:left}svg{background:#fafafa;border:1px solid #ddd;margin:4px}")
        .append(".row{display:flex;flex-wrap:wrap}</style></head><body>");
    h.append("<h1>").append(escape(title)).append("</h1>");

    h.append("<h2>Run</h2><table>");
    row(h, "windows", trained.data().windowCount() + " of " + config.windowLength()
        + " records x " + model.features());
    row(h, "series", String.valueOf(trained.data().seriesCount()));
    row(h, "epochs run", trained.history().size() + " of " + (trained.history().isEmpty()
        ? config.epochs() : trained.history().get(0).epochs()));
    row(h, "training time", trained.durationMillis() + " ms");
    row(h, "threshold", fmt(model.threshold()) + " = " + trained.thresholdMethod());
    row(h, "configuration", config.toString());
    h.append("</table>");

    h.append("<h2>Loss per epoch</h2><p>Mean per window, in nats: loss = reconstruction +"
        + " beta x KL with that epoch's beta; validation loss with the target beta.</p>");
    List<EpochStats> history = trained.history();
    double[] loss = history.stream().mapToDouble(EpochStats::loss).toArray();
    double[] rec = history.stream().mapToDouble(EpochStats::reconstruction).toArray();
    double[] kl = history.stream().mapToDouble(EpochStats::kl).toArray();
    double[] val = history.stream().mapToDouble(EpochStats::validationLoss).toArray();
    List<double[]> lines = new ArrayList<>(List.of(loss, rec));
    List<String> names = new ArrayList<>(List.of("loss", "reconstruction"));
    if (Arrays.stream(val).allMatch(Double::isFinite)) {
      lines.add(val);
      names.add("validation loss");
    }
    h.append("<div class=\"row\">");
    h.append(lineChart("loss and reconstruction", lines, names, 520, 260));
    h.append(lineChart("KL", List.of(kl), List.of("KL"), 520, 260));
    h.append("</div>");

    h.append("<h2>Anomaly scores of the training windows</h2>");
    double[] s = new double[scores.size()];
    int scored = 0;
    for (int i = 0; i < scores.size(); i++) {
      if (scores.isScored(i)) {
        s[scored++] = scores.anomalyScore(i);
      }
    }
    s = Arrays.copyOf(s, scored);
    h.append(histogram(s, model.threshold(), 1040, 260));

    h.append("<h2>Latent means, PCA to 2-D</h2><p>")
        .append(labels != null ? "Red: labelled anomalous; blue: not."
            : "No labels: red marks windows scoring above the threshold.")
        .append("</p>");
    double[][] mu = new double[scores.size()][];
    boolean[] red = new boolean[scores.size()];
    for (int i = 0; i < scores.size(); i++) {
      float[] m = scores.latentMean(i);
      mu[i] = new double[m.length];
      for (int j = 0; j < m.length; j++) {
        mu[i][j] = m[j];
      }
      red[i] = labels != null ? labels[rows[i]] : scores.isAnomaly(i);
    }
    h.append(scatter(pca2(mu), red, 520, 520));

    Normaliser norm = model.normaliser();
    VaeNetwork net = model.network();
    boolean bernoulli = model.reconstruction() == VaeConfig.Reconstruction.BERNOULLI;
    int k = model.latentDim();
    h.append("<h2>Windows sampled from the prior, decoded</h2><div class=\"row\">");
    Random random = new Random(config.seed() ^ 0x5EEDL);
    float[] z = VaeTrainer.standardNormal(random, SAMPLES * k);
    // A conditional decoder draws them for the condition of the first training window.
    INDArray decoded = net.decode(Nd4j.create(z, new long[] {SAMPLES, k}, 'c'),
        condition(model, timestamps[0], SAMPLES))[0];
    for (int i = 0; i < SAMPLES; i++) {
      h.append(windowChart("sample " + (i + 1), List.of(denormalise(decoded.getRow(i), norm,
          null, bernoulli)), List.of("decoded"), model.features(), 250, 150));
    }
    h.append("</div>");

    h.append("<h2>Interpolation between two real windows</h2><p>The encodings (latent means) of"
        + " the training windows with the lowest and the median anomaly score, mixed in latent"
        + " space and decoded.</p><div class=\"row\">");
    Integer[] order = IntStream.range(0, scored).boxed().toArray(Integer[]::new);
    double[] finalS = s;
    Arrays.sort(order, Comparator.comparingDouble(i -> finalS[i]));
    int[] scoredIndex = IntStream.range(0, scores.size()).filter(scores::isScored).toArray();
    if (scored >= 2) {
      int a = scoredIndex[order[0]];
      int b = scoredIndex[order[scored / 2]];
      for (int step = 0; step < INTERPOLATION_STEPS; step++) {
        double t = (double) step / (INTERPOLATION_STEPS - 1);
        float[] zi = new float[k];
        for (int j = 0; j < k; j++) {
          zi[j] = (float) ((1 - t) * mu[a][j] + t * mu[b][j]);
        }
        double[] level = norm.centreWindows()
            ? mix(windowMeans(windows[a], model.featureCount()),
                windowMeans(windows[b], model.featureCount()), t) : null;
        INDArray out = net.decode(Nd4j.create(zi, new long[] {1, k}, 'c'),
            condition(model, timestamps[t < 0.5 ? a : b], 1))[0];
        h.append(windowChart(String.format(Locale.ROOT, "t = %.2f", t),
            List.of(denormalise(out.getRow(0), norm, level, bernoulli)), List.of("decoded"),
            model.features(), 140, 120));
      }
    }
    h.append("</div>");

    h.append("<h2>Worst-scored training windows and their reconstructions</h2>")
        .append("<p>Solid: the window; dashed: the decoder's mean at the window's latent mean.")
        .append("</p><div class=\"row\">");
    for (int r = 0; r < Math.min(WORST, scored); r++) {
      int i = scoredIndex[order[scored - 1 - r]];
      float[] zi = scores.latentMean(i);
      INDArray out = net.decode(Nd4j.create(zi, new long[] {1, k}, 'c'),
          condition(model, timestamps[i], 1))[0];
      double[] level = norm.centreWindows() ? windowMeans(windows[i], model.featureCount())
          : null;
      double[] original = new double[windows[i].length];
      for (int j = 0; j < original.length; j++) {
        original[j] = windows[i][j];
      }
      h.append(windowChart(String.format(Locale.ROOT, "window %d, score %s", rows[i],
          fmt(scores.anomalyScore(i))), List.of(original, denormalise(out.getRow(0), norm,
              level, bernoulli)), List.of("window", "reconstruction"), model.features(), 340, 170));
    }
    h.append("</div></body></html>\n");
    return h.toString();
  }

  private static double[] mix(double[] a, double[] b, double t) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (1 - t) * a[i] + t * b[i];
    }
    return out;
  }

  private static double[] windowMeans(float[] window, int features) {
    double[] m = new double[features];
    for (int i = 0; i < window.length; i++) {
      m[i % features] += window[i];
    }
    for (int f = 0; f < features; f++) {
      m[f] /= window.length / features;
    }
    return m;
  }

  /** Undoes the normaliser; {@code level} adds back the window means of a centred model. */
  private static double[] denormalise(INDArray normalised, Normaliser norm, double[] level,
      boolean bernoulli) {
    float[] v = normalised.dup('c').data().asFloat();
    if (bernoulli) {
      // The decoder's output is a logit; its mean is the probability.
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (1 / (1 + Math.exp(-v[i])));
      }
    }
    float[] means = norm.means();
    float[] stds = norm.stds();
    int f = means.length;
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * stds[i % f] + means[i % f] + (level == null ? 0 : level[i % f]);
    }
    return out;
  }

  /** Projects rows onto the two leading principal axes (power iteration with deflation). */
  static double[][] pca2(double[][] x) {
    int n = x.length;
    int d = n == 0 ? 0 : x[0].length;
    double[] mean = new double[d];
    for (double[] r : x) {
      for (int j = 0; j < d; j++) {
        mean[j] += r[j] / n;
      }
    }
    double[][] cov = new double[d][d];
    for (double[] r : x) {
      for (int a = 0; a < d; a++) {
        for (int b = 0; b < d; b++) {
          cov[a][b] += (r[a] - mean[a]) * (r[b] - mean[b]) / n;
        }
      }
    }
    double[][] axes = new double[2][];
    for (int c = 0; c < 2; c++) {
      double[] v = new double[d];
      if (c < d) {
        Arrays.fill(v, 1.0 / Math.sqrt(d));
        v[c % d] += 0.5; // not orthogonal to the leading axis by accident
        for (int it = 0; it < 200; it++) {
          double[] w = new double[d];
          for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
              w[a] += cov[a][b] * v[b];
            }
          }
          double norm = Math.sqrt(Arrays.stream(w).map(q -> q * q).sum());
          if (norm < 1e-300) {
            break;
          }
          for (int a = 0; a < d; a++) {
            v[a] = w[a] / norm;
          }
        }
        double lambda = 0;
        for (int a = 0; a < d; a++) {
          for (int b = 0; b < d; b++) {
            lambda += v[a] * cov[a][b] * v[b];
          }
        }
        for (int a = 0; a < d; a++) {
          for (int b = 0; b < d; b++) {
            cov[a][b] -= lambda * v[a] * v[b];
          }
        }
      }
      axes[c] = v;
    }
    double[][] out = new double[n][2];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 2; c++) {
        for (int j = 0; j < d; j++) {
          out[i][c] += (x[i][j] - mean[j]) * axes[c][j];
        }
      }
    }
    return out;
  }

  private static void row(StringBuilder h, String key, String value) {
    h.append("<tr><th>").append(escape(key)).append("</th><td>").append(escape(value))
        .append("</td></tr>");
  }

  private static String lineChart(String title, List<double[]> lines, List<String> names,
      int width, int height) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    int len = 0;
    for (double[] l : lines) {
      for (double v : l) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      len = Math.max(len, l.length);
    }
    StringBuilder h = svgStart(title, width, height, lo, hi);
    for (int i = 0; i < lines.size(); i++) {
      h.append(polyline(lines.get(i), len, width, height, lo, hi, COLOURS[i % COLOURS.length],
          false));
      h.append(legend(names.get(i), i, COLOURS[i % COLOURS.length], width));
    }
    return h.append("</svg>").toString();
  }

  /** One small chart of a window: one line per feature, per series (dashed after the first). */
  private static String windowChart(String title, List<double[]> series, List<String> names,
      List<String> features, int width, int height) {
    int f = features.size();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double[] s : series) {
      for (double v : s) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    StringBuilder h = svgStart(title, width, height, lo, hi);
    for (int si = 0; si < series.size(); si++) {
      double[] s = series.get(si);
      int records = s.length / f;
      for (int feature = 0; feature < f; feature++) {
        double[] one = new double[records];
        for (int t = 0; t < records; t++) {
          one[t] = s[t * f + feature];
        }
        h.append(polyline(one, records, width, height, lo, hi,
            COLOURS[feature % COLOURS.length], si > 0));
      }
    }
    if (f > 1) {
      for (int feature = 0; feature < Math.min(f, 4); feature++) {
        h.append(legend(features.get(feature), feature, COLOURS[feature % COLOURS.length],
            width));
      }
    }
    return h.append("</svg>").toString();
  }

  private static String histogram(double[] values, double threshold, int width, int height) {
    if (values.length == 0) {
      return "<p>No window could be scored.</p>";
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    // Clip the view at the 0.1% and 99.9% points (and the threshold), so one extreme window
    // does not squeeze the rest into a single bar.
    double lo = Math.min(sorted[(int) (0.001 * (sorted.length - 1))], threshold);
    double hi = Math.max(sorted[(int) (0.999 * (sorted.length - 1))], threshold);
    if (hi <= lo) {
      hi = lo + 1;
    }
    int bins = 60;
    int[] counts = new int[bins];
    for (double v : values) {
      int b = (int) Math.floor((v - lo) / (hi - lo) * bins);
      counts[Math.max(0, Math.min(bins - 1, b))]++;
    }
    int max = Arrays.stream(counts).max().orElse(1);
    StringBuilder h = svgStart("anomaly score (-log p, nats); red line: threshold", width,
        height, 0, max);
    double plotW = width - 60.0;
    double plotH = height - 50.0;
    for (int b = 0; b < bins; b++) {
      double bh = plotH * counts[b] / max;
      h.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1f77b4\"/>",
          50 + plotW * b / bins, 25 + plotH - bh, plotW / bins - 1, bh));
    }
    double tx = 50 + plotW * (threshold - lo) / (hi - lo);
    h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"25\" x2=\"%.1f\" y2=\"%.1f\""
        + " stroke=\"#d62728\" stroke-width=\"2\"/>", tx, tx, 25 + plotH));
    h.append(String.format(Locale.ROOT, "<text x=\"50\" y=\"%d\" font-size=\"11\">%s</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>",
        height - 8, fmt(lo), width - 10, height - 8, fmt(hi)));
    return h.append("</svg>").toString();
  }

  private static String scatter(double[][] points, boolean[] red, int width, int height) {
    double xlo = Double.POSITIVE_INFINITY;
    double xhi = Double.NEGATIVE_INFINITY;
    double ylo = Double.POSITIVE_INFINITY;
    double yhi = Double.NEGATIVE_INFINITY;
    for (double[] p : points) {
      xlo = Math.min(xlo, p[0]);
      xhi = Math.max(xhi, p[0]);
      ylo = Math.min(ylo, p[1]);
      yhi = Math.max(yhi, p[1]);
    }
    if (!(xhi > xlo)) {
      xhi = xlo + 1;
    }
    if (!(yhi > ylo)) {
      yhi = ylo + 1;
    }
    StringBuilder h = svgStart("first two principal components of the latent means", width,
        height, ylo, yhi);
    // Normal windows first, so the few red ones are drawn on top.
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < points.length; i++) {
        if (red[i] != (pass == 1)) {
          continue;
        }
        h.append(String.format(Locale.ROOT,
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\" fill-opacity=\"%s\"/>",
            50 + (width - 60.0) * (points[i][0] - xlo) / (xhi - xlo),
            25 + (height - 50.0) * (1 - (points[i][1] - ylo) / (yhi - ylo)),
            pass == 1 ? "3" : "2", pass == 1 ? "#d62728" : "#1f77b4", pass == 1 ? "0.9"
                : "0.35"));
      }
    }
    return h.append("</svg>").toString();
  }

  private static StringBuilder svgStart(String title, int width, int height, double lo,
      double hi) {
    StringBuilder h = new StringBuilder();
    h.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" viewBox=\"0 0 %d %d\">", width, height, width, height));
    h.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"16\" font-size=\"12\""
        + " font-weight=\"bold\">%s</text>", escape(title)));
    h.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"30\" font-size=\"10\">%s</text>"
        + "<text x=\"4\" y=\"%d\" font-size=\"10\">%s</text>", fmt(hi), height - 25, fmt(lo)));
    return h;
  }

  private static String polyline(double[] v, int len, int width, int height, double lo,
      double hi, String colour, boolean dashed) {
    double span = hi > lo ? hi - lo : 1;
    StringBuilder pts = new StringBuilder();
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        continue;
      }
      double x = 50 + (width - 60.0) * (len <= 1 ? 0.5 : (double) i / (len - 1));
      double y = 25 + (height - 50.0) * (1 - (v[i] - lo) / span);
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    return "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.5\""
        + (dashed ? " stroke-dasharray=\"4 3\"" : "") + " points=\"" + pts.toString().strip()
        + "\"/>";
  }

  private static String legend(String name, int index, String colour, int width) {
    return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"%s\""
        + " text-anchor=\"end\">%s</text>", width - 10, 16 + 13 * index, colour, escape(name));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
