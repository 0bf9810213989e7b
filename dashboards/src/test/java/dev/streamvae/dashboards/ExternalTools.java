package dev.streamvae.dashboards;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the external programs these tests drive (prometheus, promtool, node, npm, npx) and runs
 * them. A missing program fails the test when the environment variable {@code CI} is set (the CI
 * image must have it) and skips it otherwise, with the install command in the message.
 */
final class ExternalTools {

  private ExternalTools() {}

  /** The module's directory ({@code dashboards/}). */
  static Path moduleDir() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
        .toAbsolutePath().normalize();
  }

  /** Whether this runs on CI, where a missing tool is an error rather than a reason to skip. */
  static boolean onCi() {
    String ci = System.getenv("CI");
    return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
  }

  /** The program {@code name} on PATH (or in /usr/bin), or fail / skip per the policy above. */
  static Path require(String name, String installHint) {
    Optional<Path> found = find(name);
    if (found.isEmpty()) {
      String message = "'" + name + "' is not installed (not on PATH); install it with: "
          + installHint;
      if (onCi()) {
        fail(message + " (required because CI is set)");
      }
      Assumptions.abort(message + " (skipping; this fails instead when CI is set)");
    }
    return found.get();
  }

  static Optional<Path> find(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
    }
    dirs.add("/usr/bin");
    dirs.add("/usr/local/bin");
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** What a finished program printed (stdout and stderr together) and its exit code. */
  record Result(int exitCode, String output) {
    @Override
    public String toString() {
      return "exit " + exitCode + ":\n" + output;
    }
  }

  /** Runs a program to completion (killing it after {@code timeout}), capturing its output. */
  static Result run(List<String> command, Path workingDir, Duration timeout)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("dashboards-tool-", ".log");
    try {
      Process process = new ProcessBuilder(command).directory(workingDir.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        fail(String.join(" ", command) + " did not finish within " + timeout + ":\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
