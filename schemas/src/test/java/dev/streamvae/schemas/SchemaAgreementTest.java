package dev.streamvae.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the three descriptions of each wire type in step: the Avro schema shipped in the jar, the
 * Java record, and the JSON example that {@link JsonCodec} produces.
 */
class SchemaAgreementTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<Class<?>> BOXED =
      Set.of(Long.class, Integer.class, Double.class, Float.class, Boolean.class);

  /** One wire type: its schema on the classpath, Java record, codec and example. */
  record Case(String avsc, Class<? extends Record> type, JsonCodec<?> codec, String example,
      UnaryOperator<ObjectNode> lenient) {
    @Override
    public String toString() {
      return type.getSimpleName();
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("MetricRecord.avsc", MetricRecord.class, JsonCodec.metricRecord(),
            "metric-record.json", UnaryOperator.identity()),
        // Scores may be left out only when the record is not SCORED (which is no anomaly and
        // has no contributions and no surprise).
        new Case("ScoreRecord.avsc", ScoreRecord.class, JsonCodec.scoreRecord(),
            "score-record.json", n -> {
              n.put("status", "NO_MODEL").put("anomaly", false).put("alert", false)
                  .remove(List.of("contributions", "surprise"));
              return n;
            }),
        new Case("ModelManifest.avsc", ModelManifest.class, JsonCodec.modelManifest(),
            "model-manifest.json", UnaryOperator.identity()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void avroSchemaAgreesWithTheJavaRecord(Case c) throws IOException {
    Schema schema = load(c.avsc());
    assertThat(schema.getNamespace()).isEqualTo(MetricRecord.class.getPackageName());
    assertThat(problems(schema, c.type())).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyRecordEnumAndFieldIsDocumented(Case c) throws IOException {
    List<String> undocumented = new ArrayList<>();
    collectUndocumented(load(c.avsc()), "", undocumented);
    assertThat(undocumented).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void exampleRoundTripsThroughTheCodec(Case c) throws Exception {
    byte[] bytes = Files.readAllBytes(example(c));
    Object decoded = c.codec().decode(bytes);
    assertThat(decoded).isInstanceOf(c.type());
    assertThat(JSON.readTree(encode(c.codec(), decoded))).isEqualTo(JSON.readTree(bytes));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void exampleHasExactlyTheSchemaFieldsAndConforms(Case c) throws IOException {
    List<String> problems = new ArrayList<>();
    conforms(JSON.readTree(example(c).toFile()), load(c.avsc()), "", problems);
    assertThat(problems).isEmpty();
  }

  /** A field without a default must be present and non-null; one with a default may be left out. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void requiredAndOptionalFieldsMatchTheSchemaDefaults(Case c) throws IOException {
    Schema schema = load(c.avsc());
    ObjectNode example = (ObjectNode) JSON.readTree(example(c).toFile());
    for (List<String> path : fieldPaths(schema, List.of())) {
      Schema.Field field = field(schema, path);
      if (field.hasDefaultValue()) {
        ObjectNode without = c.lenient().apply(example.deepCopy());
        parent(without, path).remove(path.get(path.size() - 1));
        Object decoded = decodeOrFail(c, without, path);
        JsonNode reencoded = JSON.readTree(encode(c.codec(), decoded));
        JsonNode value = parent((ObjectNode) reencoded, path).get(path.get(path.size() - 1));
        JsonNode expected = JSON.valueToTree(field.defaultVal() == JsonProperties.NULL_VALUE
            ? null : field.defaultVal());
        // A null field may be written as null or left out (MetricRecord omits nulls).
        assertThat(value == null ? JSON.nullNode() : value).as("%s left out", path)
            .isEqualTo(expected);
      } else {
        ObjectNode missing = example.deepCopy();
        parent(missing, path).remove(path.get(path.size() - 1));
        assertRejected(c, missing, path + " missing");
        ObjectNode nulled = example.deepCopy();
        parent(nulled, path).putNull(path.get(path.size() - 1));
        assertRejected(c, nulled, path + " null");
      }
    }
  }

  @Test
  void schemasShipInTheJarUnderAvro() {
    for (String name : List.of("MetricRecord.avsc", "ScoreRecord.avsc", "ModelManifest.avsc")) {
      assertThat(JsonCodec.class.getResource("/avro/" + name)).as(name).isNotNull();
    }
  }

  // The checker must catch each kind of disagreement, or the agreement above proves nothing.

  record ExtraField(String series, long timestamp, Map<String, Double> values, int extra) {}

  record MissingField(String series, long timestamp) {}

  record WrongType(String series, int timestamp, Map<String, Double> values) {}

  record BoxedPrimitive(String series, Long timestamp, Map<String, Double> values) {}

  record WrongMapValue(String series, long timestamp, Map<String, String> values) {}

  record NotNullableString(String series, long timestamp, Map<String, Double> values) {}

  enum FewerStatuses { SCORED, WARMING_UP }

  @Test
  void checkerReportsEveryKindOfDisagreement() throws IOException {
    Schema metric = load("MetricRecord.avsc");
    assertThat(problems(metric, ExtraField.class)).anyMatch(p -> p.contains("extra"));
    assertThat(problems(metric, MissingField.class)).anyMatch(p -> p.contains("values"));
    assertThat(problems(metric, WrongType.class)).anyMatch(p -> p.contains("timestamp"));
    assertThat(problems(metric, BoxedPrimitive.class)).anyMatch(p -> p.contains("timestamp"));
    assertThat(problems(metric, WrongMapValue.class)).anyMatch(p -> p.contains("values"));

    Schema nullablePrimitive = new Schema.Parser().parse("""
        {"type": "record", "name": "NotNullableString", "fields": [
          {"name": "series", "type": ["null", "string"], "default": null},
          {"name": "timestamp", "type": ["null", "long"], "default": null},
          {"name": "values", "type": {"type": "map", "values": "double"}}]}""");
    assertThat(problems(nullablePrimitive, NotNullableString.class))
        .anyMatch(p -> p.contains("timestamp"));

    Schema status = load("ScoreRecord.avsc").getField("status").schema();
    List<String> enumProblems = new ArrayList<>();
    agree("status", status, FewerStatuses.class, false, enumProblems);
    assertThat(enumProblems).anyMatch(p -> p.contains("NO_MODEL"));
  }

  @Test
  void conformanceCheckReportsExtraAndMissingJsonFields() throws IOException {
    Schema schema = load("MetricRecord.avsc");
    List<String> problems = new ArrayList<>();
    conforms(JSON.readTree("{\"timestamp\": 1, \"values\": {\"v\": 1}, \"extra\": 2}"), schema, "",
        problems);
    assertThat(problems).anyMatch(p -> p.contains("extra")).anyMatch(p -> p.contains("series"));
  }

  // ---- schema <-> Java ------------------------------------------------------------------------

  static List<String> problems(Schema schema, Class<?> type) {
    List<String> problems = new ArrayList<>();
    agreeRecord("", schema, type, problems);
    return problems;
  }

  private static void agreeRecord(String path, Schema schema, Class<?> type,
      List<String> problems) {
    if (!type.isRecord()) {
      problems.add(path + ": Avro record " + schema.getName() + " but Java " + type.getName());
      return;
    }
    List<String> avroNames = schema.getFields().stream().map(Schema.Field::name).toList();
    RecordComponent[] components = type.getRecordComponents();
    List<String> javaNames = Arrays.stream(components).map(RecordComponent::getName).toList();
    if (!avroNames.equals(javaNames)) {
      problems.add(path + schema.getName() + ": Avro fields " + avroNames
          + " differ from Java components " + javaNames);
    }
    for (RecordComponent component : components) {
      Schema.Field field = schema.getField(component.getName());
      if (field != null) {
        agree(path + component.getName(), field.schema(), component.getGenericType(), false,
            problems);
      }
    }
  }

  /**
   * Whether an Avro type and a Java type describe the same values. In a field a boxed Java type
   * means nullable and must be a ["null", T] union; inside arrays and maps boxing is just generics.
   */
  static void agree(String path, Schema avro, Type java, boolean element, List<String> problems) {
    Class<?> raw = rawClass(java);
    if (avro.getType() == Schema.Type.UNION) {
      List<Schema> branches = avro.getTypes();
      if (branches.size() != 2 || branches.get(0).getType() != Schema.Type.NULL) {
        problems.add(path + ": only [\"null\", T] unions are used, found " + avro);
        return;
      }
      if (raw.isPrimitive()) {
        problems.add(path + ": nullable in Avro but primitive " + raw + " in Java");
        return;
      }
      agreeNonNull(path, branches.get(1), java, true, problems);
      return;
    }
    if (!element && BOXED.contains(raw)) {
      problems.add(path + ": " + raw.getSimpleName()
          + " in Java is nullable, so Avro needs [\"null\", " + avro + "]");
      return;
    }
    agreeNonNull(path, avro, java, element, problems);
  }

  private static void agreeNonNull(String path, Schema avro, Type java, boolean boxedAllowed,
      List<String> problems) {
    Class<?> raw = rawClass(java);
    boolean ok = switch (avro.getType()) {
      case LONG -> raw == long.class || boxedAllowed && raw == Long.class;
      case INT -> raw == int.class || boxedAllowed && raw == Integer.class;
      case DOUBLE -> raw == double.class || boxedAllowed && raw == Double.class;
      case BOOLEAN -> raw == boolean.class || boxedAllowed && raw == Boolean.class;
      case STRING -> raw == String.class;
      case ENUM -> agreeEnum(path, avro, raw, problems);
      case ARRAY -> {
        if (raw == List.class) {
          agree(path + "[]", avro.getElementType(), typeArgument(java, 0), true, problems);
        }
        yield raw == List.class;
      }
      case MAP -> {
        if (raw == Map.class) {
          if (typeArgument(java, 0) != String.class) {
            problems.add(path + ": Avro map keys are strings, Java has " + typeArgument(java, 0));
          }
          agree(path + "{}", avro.getValueType(), typeArgument(java, 1), true, problems);
        }
        yield raw == Map.class;
      }
      case RECORD -> {
        if (!avro.getName().equals(raw.getSimpleName())) {
          problems.add(path + ": Avro record " + avro.getName() + " vs Java " + raw.getName());
        }
        agreeRecord(path + ".", avro, raw, problems);
        yield true;
      }
      default -> false;
    };
    if (!ok) {
      problems.add(path + ": Avro " + avro + " does not match Java " + java.getTypeName());
    }
  }

  private static boolean agreeEnum(String path, Schema avro, Class<?> raw, List<String> problems) {
    if (!raw.isEnum()) {
      return false;
    }
    List<String> constants = Arrays.stream(raw.getEnumConstants())
        .map(e -> ((Enum<?>) e).name()).toList();
    if (!avro.getEnumSymbols().equals(constants)) {
      problems.add(path + ": Avro symbols " + avro.getEnumSymbols() + " vs Java constants "
          + constants);
    }
    return true;
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    throw new IllegalArgumentException("unsupported Java type " + type);
  }

  private static Type typeArgument(Type type, int index) {
    return ((ParameterizedType) type).getActualTypeArguments()[index];
  }

  private static void collectUndocumented(Schema schema, String path, List<String> out) {
    switch (schema.getType()) {
      case RECORD -> {
        if (isBlank(schema.getDoc())) {
          out.add("record " + schema.getFullName());
        }
        for (Schema.Field f : schema.getFields()) {
          if (isBlank(f.doc())) {
            out.add(path + f.name());
          }
          collectUndocumented(f.schema(), path + f.name() + ".", out);
        }
      }
      case ENUM -> {
        if (isBlank(schema.getDoc())) {
          out.add("enum " + schema.getFullName());
        }
      }
      case UNION -> schema.getTypes().forEach(t -> collectUndocumented(t, path, out));
      case ARRAY -> collectUndocumented(schema.getElementType(), path, out);
      case MAP -> collectUndocumented(schema.getValueType(), path, out);
      default -> { }
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  // ---- JSON example <-> schema ---------------------------------------------------------------

  /** Whether a JSON value (as JsonCodec writes it) is a value of the Avro type. */
  static void conforms(JsonNode json, Schema avro, String path, List<String> problems) {
    switch (avro.getType()) {
      case UNION -> {
        if (!json.isNull()) {
          conforms(json, avro.getTypes().get(1), path, problems);
        }
      }
      case RECORD -> {
        if (!json.isObject()) {
          problems.add(path + ": expected an object");
          return;
        }
        Set<String> jsonNames = new TreeSet<>();
        json.fieldNames().forEachRemaining(jsonNames::add);
        Set<String> avroNames = new TreeSet<>(
            avro.getFields().stream().map(Schema.Field::name).toList());
        if (!jsonNames.equals(avroNames)) {
          problems.add(path + ": JSON fields " + jsonNames + " vs Avro fields " + avroNames);
        }
        for (Schema.Field f : avro.getFields()) {
          if (json.has(f.name())) {
            conforms(json.get(f.name()), f.schema(), path + f.name() + ".", problems);
          }
        }
      }
      case MAP -> {
        if (!json.isObject()) {
          problems.add(path + ": expected an object for a map");
          return;
        }
        for (Map.Entry<String, JsonNode> e : json.properties()) {
          conforms(e.getValue(), avro.getValueType(), path + e.getKey() + ".", problems);
        }
      }
      case ARRAY -> {
        if (!json.isArray()) {
          problems.add(path + ": expected an array");
          return;
        }
        json.forEach(item -> conforms(item, avro.getElementType(), path + "[].", problems));
      }
      case ENUM -> {
        if (!json.isTextual() || !avro.getEnumSymbols().contains(json.asText())) {
          problems.add(path + ": " + json + " is not one of " + avro.getEnumSymbols());
        }
      }
      case STRING -> check(json.isTextual(), path, json, avro, problems);
      case LONG -> check(json.isIntegralNumber() && json.canConvertToLong(), path, json, avro,
          problems);
      case INT -> check(json.isIntegralNumber() && json.canConvertToInt(), path, json, avro,
          problems);
      case DOUBLE -> check(json.isNumber(), path, json, avro, problems);
      case BOOLEAN -> check(json.isBoolean(), path, json, avro, problems);
      default -> problems.add(path + ": unsupported Avro type " + avro.getType());
    }
  }

  private static void check(boolean ok, String path, JsonNode json, Schema avro,
      List<String> problems) {
    if (!ok) {
      problems.add(path + ": " + json + " is not an Avro " + avro.getType());
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  static Schema load(String name) throws IOException {
    try (InputStream in = JsonCodec.class.getResourceAsStream("/avro/" + name)) {
      assertThat(in).as("/avro/" + name + " on the classpath").isNotNull();
      return new Schema.Parser().parse(in);
    }
  }

  static Path example(Case c) {
    return Path.of("examples", c.example());
  }

  /** Paths of every field, descending into nested records (also inside nullable unions). */
  private static List<List<String>> fieldPaths(Schema record, List<String> prefix) {
    List<List<String>> out = new ArrayList<>();
    for (Schema.Field f : record.getFields()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(f.name());
      out.add(path);
      Schema s = f.schema();
      if (s.getType() == Schema.Type.UNION) {
        s = s.getTypes().get(1);
      }
      if (s.getType() == Schema.Type.RECORD) {
        out.addAll(fieldPaths(s, path));
      }
    }
    return out;
  }

  private static Schema.Field field(Schema record, List<String> path) {
    Schema s = record;
    Schema.Field f = null;
    for (String name : path) {
      if (s.getType() == Schema.Type.UNION) {
        s = s.getTypes().get(1);
      }
      f = s.getField(name);
      s = f.schema();
    }
    return f;
  }

  private static ObjectNode parent(ObjectNode root, List<String> path) {
    ObjectNode node = root;
    for (String name : path.subList(0, path.size() - 1)) {
      node = (ObjectNode) node.get(name);
    }
    return node;
  }

  private static Object decodeOrFail(Case c, ObjectNode json, List<String> path)
      throws IOException {
    try {
      return c.codec().decode(JSON.writeValueAsBytes(json));
    } catch (SchemaException e) {
      throw new AssertionError(path + " has a default, so leaving it out must be accepted: "
          + e.getMessage(), e);
    }
  }

  private static void assertRejected(Case c, ObjectNode json, String what) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(json);
    assertThatThrownBy(() -> c.codec().decode(bytes)).as(what)
        .isInstanceOf(SchemaException.class);
  }

  @SuppressWarnings("unchecked")
  private static byte[] encode(JsonCodec<?> codec, Object value) {
    return ((JsonCodec<Object>) codec).encode(value);
  }
}
