package dev.streamvae.evaluation;

import dev.streamvae.commandline.CommandLines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamvae.evaluation.nab.NabCorpus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvaluateCommandTest {

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = CommandLines.configure(new CommandLine(new EvaluateCommand()));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void mistakesGetOneLineAndExit2(@TempDir Path dir) {
    Run noSub = run();
    assertThat(noSub.status()).isEqualTo(2);
    assertThat(noSub.err()).startsWith("error: missing subcommand");

    Run noOut = run("nab", "--data", dir.toString());
    assertThat(noOut.status()).isEqualTo(2);
    assertThat(noOut.err()).startsWith("error: Missing required option: '--out=DIR'");

    Run badDetector = run("csv", "--data", dir.toString(), "--out", dir.resolve("o").toString(),
        "--detectors", "vae,isolationForest");
    assertThat(badDetector.status()).isEqualTo(2);
    assertThat(badDetector.err().strip())
        .isEqualTo("error: unknown detector 'isolationForest'; known: vae, rcf, null");

    // Checked before any data is read: the folder is not a corpus, yet this is the error.
    Run badEdge = run("nab", "--data", dir.toString(), "--out", dir.resolve("o").toString(),
        "--rising-edge", "-1");
    assertThat(badEdge.status()).isEqualTo(2);
    assertThat(badEdge.err().strip()).isEqualTo("error: --rising-edge must be >= 0, was -1");

    Run badAverage = run("nab", "--data", dir.toString(), "--out",
        dir.resolve("o").toString(), "--vae-surprise-average", "0");
    assertThat(badAverage.status()).isEqualTo(2);
    assertThat(badAverage.err().strip())
        .isEqualTo("error: --vae-surprise-average must be >= 1, was 0");

    Run notNab = run("nab", "--data", dir.toString(), "--out", dir.resolve("o").toString());
    assertThat(notNab.status()).isEqualTo(2);
    assertThat(notNab.err().strip()).startsWith("error: ").contains("is not a NAB corpus")
        .doesNotContain("\n");
  }

  @Test
  void csvReportsUnadjustedMetricsAndPointAdjustedBesideThem(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve("sub"));
    StringBuilder a = new StringBuilder("time,cpu,mem,label\n");
    StringBuilder b = new StringBuilder("time,cpu,mem,label\n");
    java.util.Random r = new java.util.Random(1);
    for (int t = 0; t < 300; t++) {
      boolean anomaly = t >= 250 && t < 255;
      double cpu = Math.sin(t / 5.0) + 0.1 * r.nextGaussian() + (anomaly ? 6 : 0);
      a.append(t).append(',').append(cpu).append(',').append(0.5 + 0.01 * r.nextGaussian())
          .append(',').append(anomaly ? 1 : 0).append('\n');
      b.append(t).append(',').append(cpu).append(',').append(0.5).append(",0\n");
    }
    Files.writeString(data.resolve("a.csv"), a);
    Files.writeString(data.resolve("sub/b.csv"), b);
    Path out = dir.resolve("out");
    Run ok = run("csv", "--data", data.toString(), "--out", out.toString(), "--detectors",
        "null,rcf", "--window", "4", "--rcf-trees", "20", "--rcf-sample-size", "64");
    assertThat(ok.status()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("point-adjusted F1 (PA)").contains("PR-AUC");
    assertThat(out.resolve("results/rcf/rcf_a.csv")).exists();
    assertThat(Files.readAllLines(out.resolve("results/rcf/sub/rcf_b.csv")).get(0))
        .isEqualTo("timestamp,cpu,mem,anomaly_score,label");
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    JsonNode rcf = summary.at("/detectors/rcf/pooled");
    // 2 files, training 45 records each (floor(0.15 * 300)): 510 measured, 5 positives.
    assertThat(rcf.get("records").asLong()).isEqualTo(510);
    assertThat(rcf.get("positives").asLong()).isEqualTo(5);
    assertThat(rcf.get("bestF1").asDouble()).isBetween(0.0, 1.0);
    assertThat(rcf.get("pointAdjustedBestF1").asDouble())
        .isGreaterThanOrEqualTo(rcf.get("bestF1").asDouble());
    assertThat(summary.at("/detectors/null/pooled/prAuc").asDouble())
        .isCloseTo(5 / 510.0, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(summary.at("/detectors/rcf/files/1/metrics/positives").asLong()).isZero();
  }

  @Test
  void nabOnOneRealFileWritesNabsLayoutAndASummary(@TempDir Path dir) throws Exception {
    Optional<Path> root = NabCorpus.locate();
    assumeTrue(root.isPresent(), "NAB corpus not found; skipping");
    Run ok = run("nab", "--data", root.get().toString(), "--out", dir.toString(),
        "--files", "realTraffic/speed_7578.csv", "--detectors", "null,rcf", "--rcf-trees", "20");
    assertThat(ok.status()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("standard").contains("reward_low_FP_rate")
        .contains("reward_low_FN_rate");
    Path results = dir.resolve("results/rcf/realTraffic/rcf_speed_7578.csv");
    // 1,127 records (the file has no final newline) and a header.
    assertThat(Files.readAllLines(results)).hasSize(1128)
        .first().isEqualTo("timestamp,value,anomaly_score,label");
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
    assertThat(summary.get("files").asInt()).isEqualTo(1);
    assertThat(summary.get("windows").asInt()).isEqualTo(4);
    JsonNode nul = summary.at("/detectors/null/profiles/0");
    assertThat(nul.get("profile").asText()).isEqualTo("standard");
    assertThat(nul.get("score").asDouble()).isZero();
    assertThat(nul.get("rawScore").asDouble()).isEqualTo(-4.0);
    assertThat(summary.at("/detectors/rcf/files/0/profiles/standard/counts/total").asLong())
        .isEqualTo(1127 - 169); // probationary floor(0.15 * 1127) = 169
  }

  @Test
  void nabResultsAreTheSameWhateverTheNumberOfThreads(@TempDir Path dir) throws Exception {
    Optional<Path> root = NabCorpus.locate();
    assumeTrue(root.isPresent(), "NAB corpus not found; skipping");
    String[] files = {"--files", "realTraffic/speed_7578.csv", "--files",
        "artificialWithAnomaly/art_daily_jumpsup.csv", "--files", "realTraffic/TravelTime_451.csv"};
    Path one = dir.resolve("one");
    Path three = dir.resolve("three");
    for (Path out : List.of(one, three)) {
      List<String> args = new java.util.ArrayList<>(List.of("nab", "--data",
          root.get().toString(), "--out", out.toString(), "--detectors", "vae,rcf",
          "--rcf-trees", "20", "--vae-steps", "60", "--no-vae-levels-too",
          "--threads", out == one ? "1" : "3"));
      args.addAll(List.of(files));
      Run r = run(args.toArray(new String[0]));
      assertThat(r.status()).as(r.err()).isZero();
    }
    List<Path> written;
    try (var walk = Files.walk(one.resolve("results"))) {
      written = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(written).hasSize(6);
    for (Path p : written) {
      assertThat(Files.readAllBytes(three.resolve(one.relativize(p)))).as(p.toString())
          .isEqualTo(Files.readAllBytes(p));
    }
    Run bad = run("nab", "--data", root.get().toString(), "--out", dir.resolve("x").toString(),
        "--threads", "0");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).contains("--threads must be >= 1, was 0");
  }
}
