package dev.streamvae.docker;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Locating and running the external tools the checks need (docker-compose, dockerfilelint,
 * bash). A missing tool skips a check on a developer machine and fails it in CI (env CI set).
 */
final class Tools {

  /** The docker/ directory (the module's base directory). */
  static final Path DOCKER_DIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
      .normalize();

  private static final Duration TIMEOUT = Duration.ofSeconds(180);

  private Tools() {}

  /** What a finished command printed, and its exit status. */
  record Result(int exitCode, String stdout, String stderr) {
    String both() {
      return stdout + stderr;
    }
  }

  /** The first of the candidates that is an executable file, or on the PATH. */
  static Optional<Path> find(String... candidates) {
    for (String candidate : candidates) {
      if (candidate.contains("/")) {
        Path path = DOCKER_DIR.resolve(candidate);
        if (Files.isExecutable(path)) {
          return Optional.of(path);
        }
        continue;
      }
      String pathVar = System.getenv().getOrDefault("PATH", "");
      for (String dir : pathVar.split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, candidate))) {
          return Optional.of(Path.of(dir, candidate));
        }
      }
    }
    return Optional.empty();
  }

  /** The tool, or: skip the test (no CI) / fail it (CI) with how to install it. */
  static Path require(String what, String install, String... candidates) {
    Optional<Path> tool = find(candidates);
    if (tool.isEmpty()) {
      String message = what + " not found (" + install + ")";
      if (inCi()) {
        fail(message + "; CI must install it");
      }
      Assumptions.abort(message + "; skipped outside CI");
    }
    return tool.get();
  }

  static boolean inCi() {
    String ci = System.getenv("CI");
    return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
  }

  /** Runs a command in docker/ with the extra environment; fails the test on a timeout. */
  static Result run(List<String> command, Map<String, String> env, String... unsetEnv)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(
        DOCKER_DIR.toFile());
    for (String name : unsetEnv) {
      builder.environment().remove(name);
    }
    builder.environment().putAll(env);
    Path out = Files.createTempFile("docker-test", ".out");
    Path err = Files.createTempFile("docker-test", ".err");
    try {
      builder.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("timed out after " + TIMEOUT + ": " + String.join(" ", command));
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
