package dev.streamvae.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvHistorySourceTest {

  @TempDir
  Path dir;

  @Test
  void readsNabStyleFilesWithTheFileNameAsSeriesAndSkipsIncompleteRows() throws IOException {
    Path file = Files.writeString(dir.resolve("cpu_host1.csv"),
        "timestamp,value,label\n"
            + "2014-04-01 00:05:00,2.0,0\n"
            + "2014-04-01 00:00:00,1.5,1\n"
            + "2014-04-01 00:10:00,,0\n");
    History h = new CsvHistorySource(List.of(file)).read();
    assertThat(h.series()).containsOnlyKeys("cpu_host1");
    List<Observation> obs = h.series().get("cpu_host1");
    assertThat(obs).extracting(Observation::timestamp)
        .as("sorted by time").containsExactly(1396310400000L, 1396310700000L);
    assertThat(obs.get(0).values()).containsOnlyKeys("value").containsEntry("value", 1.5);
    assertThat(h.skippedRecords()).isEqualTo(1);
    assertThat(h.commonFeatures()).containsExactly("value");
  }

  @Test
  void readsSeveralSeriesAndMetricsFromOneFile() throws IOException {
    Path file = Files.writeString(dir.resolve("multi.csv"),
        "series,timestamp,cpu,mem\n"
            + "a,1000,1,2\n"
            + "b,2026-11-01T00:00:00Z,3,4\n"
            + "a,2000,5,6\n");
    History h = new CsvHistorySource(List.of(file)).read();
    assertThat(h.series()).containsOnlyKeys("a", "b");
    assertThat(h.series().get("a")).hasSize(2);
    assertThat(h.series().get("b").get(0).timestamp()).isEqualTo(1793491200000L);
    assertThat(h.commonFeatures()).containsExactly("cpu", "mem");
  }

  @Test
  void saysWhereABadCellIs() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.csv"), "timestamp,value\n1,2\n2,abc\n");
    assertThatThrownBy(() -> new CsvHistorySource(List.of(file)).read())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bad.csv:3")
        .hasMessageContaining("'abc'");
  }

  @Test
  void rejectsAFileWithoutATimestampColumn() throws IOException {
    Path file = Files.writeString(dir.resolve("nots.csv"), "time,value\n1,2\n");
    assertThatThrownBy(() -> new CsvHistorySource(List.of(file)).read())
        .hasMessageContaining("no 'timestamp' column");
  }
}
