package dev.streamvae.scorer.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An input record accepted into its series' window but not yet emitted: the series, timestamps
 * and a copy of the window ending at it. Kept in a changelogged store until its batch is scored,
 * so a crash between buffering and emitting re-scores it instead of losing it.
 *
 * @param series the series id (the record key)
 * @param timestamp the record's own timestamp
 * @param recordTimestamp the Kafka timestamp, kept on the output record
 * @param features metric names of the window's columns
 * @param window readings ending at this record, oldest first, flattened time-major
 */
record PendingRecord(String series, long timestamp, long recordTimestamp, List<String> features,
    float[] window) {

  private static final byte FORMAT = 1;

  /** Rows in the window. */
  int rows() {
    return window.length / features.size();
  }

  /** The values of this record itself: the window's last row. */
  float[] lastRow() {
    int f = features.size();
    float[] row = new float[f];
    System.arraycopy(window, window.length - f, row, 0, f);
    return row;
  }

  byte[] encode() {
    byte[] seriesBytes = series.getBytes(StandardCharsets.UTF_8);
    byte[][] names = SeriesWindow.encodeNames(features);
    ByteBuffer buf = ByteBuffer.allocate(1 + 4 + seriesBytes.length + 8 + 8
        + SeriesWindow.namesSize(names) + 4 + window.length * 4);
    buf.put(FORMAT).putInt(seriesBytes.length).put(seriesBytes).putLong(timestamp)
        .putLong(recordTimestamp);
    SeriesWindow.putNames(buf, names);
    buf.putInt(window.length);
    buf.asFloatBuffer().put(window);
    return buf.array();
  }

  static PendingRecord decode(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    byte format = buf.get();
    if (format != FORMAT) {
      throw new IllegalStateException("unknown pending record format " + format);
    }
    byte[] seriesBytes = new byte[buf.getInt()];
    buf.get(seriesBytes);
    long timestamp = buf.getLong();
    long recordTimestamp = buf.getLong();
    List<String> features = SeriesWindow.getNames(buf);
    float[] window = new float[buf.getInt()];
    buf.asFloatBuffer().get(window);
    return new PendingRecord(new String(seriesBytes, StandardCharsets.UTF_8), timestamp,
        recordTimestamp, features, window);
  }
}
