package dev.streamvae.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough of a Dockerfile parser for the checks: instructions, stages, ARG defaults. */
record Dockerfile(List<Instruction> instructions) {

  /** One instruction, continuation lines joined. */
  record Instruction(String keyword, String arguments) {}

  private static final Pattern ARG_REFERENCE = Pattern.compile("^\\$\\{?(\\w+)}?$");

  static Dockerfile read(Path path) throws IOException {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(path)) {
      String trimmed = line.strip();
      if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        continue;
      }
      if (!current.isEmpty() && trimmed.startsWith("#")) {
        continue; // a comment inside a continued instruction
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String text = current.toString().strip();
      current.setLength(0);
      int space = text.indexOf(' ');
      instructions.add(new Instruction(
          (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT),
          space < 0 ? "" : text.substring(space + 1).strip()));
    }
    return new Dockerfile(List.copyOf(instructions));
  }

  /** Instructions of the last stage (the image that is shipped), FROM included. */
  List<Instruction> finalStage() {
    int from = -1;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).keyword().equals("FROM")) {
        from = i;
      }
    }
    return from < 0 ? List.of() : instructions.subList(from, instructions.size());
  }

  /** The user the shipped image runs as: its stage's last USER, if any. */
  Optional<String> finalUser() {
    return finalStage().stream().filter(i -> i.keyword().equals("USER"))
        .reduce((a, b) -> b).map(Instruction::arguments);
  }

  /** All arguments of the given instruction in the final stage. */
  List<String> finalStage(String keyword) {
    return finalStage().stream().filter(i -> i.keyword().equals(keyword))
        .map(Instruction::arguments).toList();
  }

  /** For every FROM that names an ARG: that ARG's default (global ARGs before the first FROM). */
  Map<String, String> baseImageDefaults() {
    Map<String, String> globalArgs = new LinkedHashMap<>();
    Map<String, String> result = new LinkedHashMap<>();
    boolean beforeFirstFrom = true;
    for (Instruction instruction : instructions) {
      if (beforeFirstFrom && instruction.keyword().equals("ARG")) {
        String[] kv = instruction.arguments().split("=", 2);
        globalArgs.put(kv[0], kv.length > 1 ? kv[1] : "");
      }
      if (instruction.keyword().equals("FROM")) {
        beforeFirstFrom = false;
        String image = instruction.arguments().split("\\s+")[0];
        Matcher m = ARG_REFERENCE.matcher(image);
        if (m.matches()) {
          result.put(m.group(1), globalArgs.getOrDefault(m.group(1), ""));
        }
      }
    }
    return result;
  }
}
