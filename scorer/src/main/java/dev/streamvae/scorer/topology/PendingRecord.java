package dev.streamvae.scorer.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An input record accepted but not yet emitted: the series, timestamps, its metric names and its
 * own row of readings. Kept in the changelogged pending store until its batch is scored, so a
 * crash between buffering and emitting re-scores it instead of losing it. The window it is
 * scored with is rebuilt at flush from the series' stored window plus the pending rows before it
 * (see {@link ScoringProcessor}); an entry does not carry a copy of the window.
 *
 * <p>Format 1 (before the compact form) carried the whole window ending at the record, and was
 * written when the window store already held the record. Such an entry, restored after an
 * upgrade, is decoded with {@link #legacyWindow()} set and is scored from that window alone.
 *
 * @param sequence per-task arrival number: the order in which pending records are scored
 * @param series the series id (the record key)
 * @param timestamp the record's own timestamp
 * @param recordTimestamp the Kafka timestamp, kept on the output record
 * @param features metric names of the row's columns
 * @param row this record's readings, one per feature
 * @param legacyWindow for a format-1 entry only, the window ending at the record (oldest first,
 *     flattened time-major); null otherwise
 */
record PendingRecord(long sequence, String series, long timestamp, long recordTimestamp,
    List<String> features, float[] row, float[] legacyWindow) {

  private static final byte LEGACY_FORMAT = 1;
  private static final byte FORMAT = 2;

  /** A record in the current (compact) form. */
  PendingRecord(long sequence, String series, long timestamp, long recordTimestamp,
      List<String> features, float[] row) {
    this(sequence, series, timestamp, recordTimestamp, features, row, null);
  }

  byte[] encode() {
    if (legacyWindow != null) {
      throw new IllegalStateException("format-1 entries are read, never written");
    }
    byte[] seriesBytes = series.getBytes(StandardCharsets.UTF_8);
    byte[][] names = SeriesWindow.encodeNames(features);
    ByteBuffer buf = ByteBuffer.allocate(1 + 8 + 4 + seriesBytes.length + 8 + 8
        + SeriesWindow.namesSize(names) + row.length * 4);
    buf.put(FORMAT).putLong(sequence).putInt(seriesBytes.length).put(seriesBytes)
        .putLong(timestamp).putLong(recordTimestamp);
    SeriesWindow.putNames(buf, names);
    buf.asFloatBuffer().put(row);
    return buf.array();
  }

  /**
   * Decodes an entry.
   *
   * @param legacySequence the sequence of a format-1 entry (its store key); format 2 carries its
   *     own
   */
  static PendingRecord decode(byte[] bytes, long legacySequence) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    byte format = buf.get();
    if (format == LEGACY_FORMAT) {
      return decodeLegacy(buf, legacySequence);
    }
    if (format != FORMAT) {
      throw new IllegalStateException("unknown pending record format " + format);
    }
    long sequence = buf.getLong();
    Header h = Header.read(buf);
    float[] row = new float[h.features().size()];
    buf.asFloatBuffer().get(row);
    return new PendingRecord(sequence, h.series(), h.timestamp(), h.recordTimestamp(),
        h.features(), row);
  }

  private static PendingRecord decodeLegacy(ByteBuffer buf, long sequence) {
    Header h = Header.read(buf);
    float[] window = new float[buf.getInt()];
    buf.asFloatBuffer().get(window);
    float[] row = new float[h.features().size()];
    System.arraycopy(window, window.length - row.length, row, 0, row.length);
    return new PendingRecord(sequence, h.series(), h.timestamp(), h.recordTimestamp(),
        h.features(), row, window);
  }

  /** The fields both formats store in the same order after their own prefix. */
  private record Header(String series, long timestamp, long recordTimestamp,
      List<String> features) {
    static Header read(ByteBuffer buf) {
      String series = getString(buf);
      long timestamp = buf.getLong();
      long recordTimestamp = buf.getLong();
      return new Header(series, timestamp, recordTimestamp, SeriesWindow.getNames(buf));
    }
  }

  private static String getString(ByteBuffer buf) {
    byte[] bytes = new byte[buf.getInt()];
    buf.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
