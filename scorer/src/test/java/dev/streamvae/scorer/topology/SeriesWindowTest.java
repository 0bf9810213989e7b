package dev.streamvae.scorer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesWindowTest {

  @Test
  void keepsTheLastCapacityRowsInOrderAcrossTheRing() {
    SeriesWindow w = new SeriesWindow(List.of("a", "b"), 3);
    for (int i = 0; i < 5; i++) {
      w.append(i, new float[] {i, 10 + i});
    }
    assertThat(w.filled()).isEqualTo(3);
    assertThat(w.snapshot()).containsExactly(2, 12, 3, 13, 4, 14);
    assertThat(w.lastTimestamp()).isEqualTo(4);
  }

  @Test
  void roundTripsThroughBytes() {
    SeriesWindow w = new SeriesWindow(List.of("cpu", "mem"), 4);
    w.append(1, new float[] {1, 2});
    w.append(2, new float[] {3, 4});
    SeriesWindow copy = SeriesWindow.decode(w.encode());
    assertThat(copy).isEqualTo(w);
    copy.append(3, new float[] {5, 6});
    assertThat(copy.snapshot()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void pendingRecordsRoundTripThroughBytesHoldingOnlyTheirOwnRow() {
    PendingRecord p = new PendingRecord(7, "series-1", 42, 43, List.of("x", "y"),
        new float[] {1, 2});
    byte[] bytes = p.encode();
    PendingRecord copy = PendingRecord.decode(bytes, -1);
    assertThat(copy.sequence()).isEqualTo(7);
    assertThat(copy.series()).isEqualTo("series-1");
    assertThat(copy.timestamp()).isEqualTo(42);
    assertThat(copy.recordTimestamp()).isEqualTo(43);
    assertThat(copy.features()).containsExactly("x", "y");
    assertThat(copy.row()).containsExactly(1, 2);
    assertThat(copy.legacyWindow()).isNull();
    assertThat(bytes.length).as("no window copy").isLessThan(64);
  }

  @Test
  void aFormatOnePendingRecordDecodesWithItsWindow() {
    byte[] legacy = PendingStateTest.formatOneEntry("series-1", 42, 43, List.of("x"),
        new float[] {1, 2, 3});
    PendingRecord copy = PendingRecord.decode(legacy, 5);
    assertThat(copy.sequence()).isEqualTo(5);
    assertThat(copy.row()).containsExactly(3);
    assertThat(copy.legacyWindow()).containsExactly(1, 2, 3);
  }

  @Test
  void copiesTheNewestRowsOfChosenColumnsAcrossTheRing() {
    SeriesWindow w = new SeriesWindow(List.of("a", "b", "c"), 3);
    for (int i = 0; i < 5; i++) {
      w.append(i, new float[] {i, 10 + i, 20 + i});
    }
    float[] out = new float[4];
    w.copyLast(2, new int[] {2, 0}, out);
    assertThat(out).containsExactly(23, 3, 24, 4);
  }
}
