package dev.streamvae.evaluation.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NabResultsTest {

  private static NabFile file() {
    LocalDateTime t0 = LocalDateTime.of(2014, 4, 1, 0, 0);
    int n = 5;
    String[] text = new String[n];
    LocalDateTime[] ts = new LocalDateTime[n];
    String[] values = {"20.0", "21.5", "1e3", "19", "20.25"};
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      ts[i] = t0.plusMinutes(5L * i);
      text[i] = ts[i].toString().replace('T', ' ') + ":00";
      v[i] = Double.parseDouble(values[i]);
    }
    return new NabFile("artificialWithAnomaly/art_x.csv", text, ts, values, v,
        List.of(new AnomalyWindow(ts[2], ts[3])));
  }

  @Test
  void writesNabsLayoutAndReadsItBack(@TempDir Path dir) throws Exception {
    NabFile f = file();
    double[] scores = {0.0, 0.1, 1.0, 0.123456789012345, 1e-9};
    Path written = NabResults.write(dir, "vae", f, scores);
    assertThat(written).isEqualTo(
        dir.resolve("results/vae/artificialWithAnomaly/vae_art_x.csv"));
    assertThat(String.join("\n", Files.readAllLines(written))).isEqualTo(String.join("\n",
        "timestamp,value,anomaly_score,label",
        "2014-04-01 00:00:00,20.0,0.0,0",
        "2014-04-01 00:05:00,21.5,0.1,0",
        "2014-04-01 00:10:00,1e3,1.0,1",
        "2014-04-01 00:15:00,19,0.123456789012345,1",
        "2014-04-01 00:20:00,20.25,0.000000001,0"));
    assertThat(NabResults.read(dir, "vae", f)).containsExactly(scores);
  }

  @Test
  void refusesScoresOutsideTheUnitIntervalAndShortFiles(@TempDir Path dir) throws Exception {
    NabFile f = file();
    assertThatThrownBy(() -> NabResults.write(dir, "x", f, new double[] {0, 0, 2, 0, 0}))
        .hasMessageContaining("not in [0, 1]");
    Path p = NabResults.path(dir, "y", f);
    Files.createDirectories(p.getParent());
    Files.writeString(p, "timestamp,value,anomaly_score,label\n2014-04-01 00:00:00,1,0.5,0\n");
    assertThatThrownBy(() -> NabResults.read(dir, "y", f)).hasMessageContaining("1 rows");
  }
}
