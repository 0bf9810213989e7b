package dev.streamvae.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Objects;

/**
 * Encodes and decodes one wire type as UTF-8 JSON. Thread-safe. Knows no Kafka: the services wrap
 * it in their serdes.
 *
 * @param <T> the record type
 */
public final class JsonCodec<T> {

  private static final ObjectMapper MAPPER = strictTextual(JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      // Strict types: "1.5" is not a number, 1.7 is not a timestamp, 5 is not a series name,
      // and a field given twice is an error rather than "the last one wins".
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // Jackson's bundled FastDoubleParser: the same correctly rounded double as
      // Double.parseDouble, without its BigInteger path for 17-digit readings (scorer profile).
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      // And its Schubfach writer: the shortest decimal that reads back as the same double (JDK
      // 17's Double.toString is slow for the 17-digit doubles a float widens to: the scores'
      // latent means; a quarter off encoding a score record, same bytes on 1,000 samples).
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .build());

  private static final JsonCodec<MetricRecord> METRIC = new JsonCodec<>(MetricRecord.class);
  private static final JsonCodec<ScoreRecord> SCORE = new JsonCodec<>(ScoreRecord.class);
  private static final JsonCodec<ModelManifest> MANIFEST = new JsonCodec<>(ModelManifest.class);

  /** Longest reason put in an exception message; a hostile field name can be any length. */
  private static final int MAX_REASON_LENGTH = 300;

  private final Class<T> type;
  // Bound once: ObjectMapper.readValue/writeValueAsBytes look the (de)serialiser up per call,
  // which showed in the scorer's per-record profile.
  private final ObjectReader reader;
  private final ObjectWriter writer;

  private JsonCodec(Class<T> type) {
    this.type = Objects.requireNonNull(type);
    this.reader = MAPPER.readerFor(type);
    this.writer = MAPPER.writerFor(type);
  }

  /** A number where text belongs (e.g. {@code "series": 5}) is an error too. */
  private static ObjectMapper strictTextual(ObjectMapper mapper) {
    mapper.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }

  /** The codec for input records. */
  public static JsonCodec<MetricRecord> metricRecord() {
    return METRIC;
  }

  /** The codec for score records. */
  public static JsonCodec<ScoreRecord> scoreRecord() {
    return SCORE;
  }

  /** The codec for model manifests. */
  public static JsonCodec<ModelManifest> modelManifest() {
    return MANIFEST;
  }

  /** A parser configured as the codecs' own (strict duplicates, NaN allowed), for fast paths. */
  static JsonParser createParser(byte[] bytes) throws IOException {
    return MAPPER.createParser(bytes);
  }

  /** Encodes a record; never fails for a valid record. */
  public byte[] encode(T value) {
    try {
      return writer.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + type.getSimpleName(), e);
    }
  }

  /**
   * Decodes bytes, or says in one line why they are not a valid record.
   *
   * @throws SchemaException when the bytes are null, not JSON, or violate the record's schema
   */
  public T decode(byte[] bytes) throws SchemaException {
    if (bytes == null) {
      throw new SchemaException("value is null");
    }
    try {
      T value = reader.readValue(bytes);
      if (value == null) {
        throw new SchemaException("value is JSON null");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new SchemaException("not a valid " + type.getSimpleName() + ": "
          + firstLine(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new SchemaException("unreadable " + type.getSimpleName() + ": "
          + firstLine(e.getMessage()), e);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new SchemaException("invalid " + type.getSimpleName() + ": "
          + firstLine(e.getMessage()), e);
    }
  }

  /** One line, short enough for a dead-letter header. */
  private static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int end = message.length();
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if (c == '\n' || c == '\r') {
        end = i;
        break;
      }
    }
    String line = message.substring(0, end);
    return line.length() <= MAX_REASON_LENGTH ? line
        : line.substring(0, MAX_REASON_LENGTH) + "...";
  }
}
