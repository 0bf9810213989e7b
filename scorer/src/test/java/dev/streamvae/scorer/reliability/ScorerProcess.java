package dev.streamvae.scorer.reliability;

import dev.streamvae.scorer.ScorerApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A scorer in its own JVM, started from this test's classpath with its settings as system
 * properties, so that a test can kill it the way a machine or the OOM killer does
 * ({@link #kill()}: SIGKILL, no shutdown hooks, no clean close).
 */
final class ScorerProcess implements AutoCloseable {

  private final Process process;
  private final Path log;

  private ScorerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ScorerProcess start(Map<String, Object> properties, String maxHeap, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + maxHeap);
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ScorerApplication.class.getName());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("OMP_NUM_THREADS", "1");
    try {
      return new ScorerProcess(builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a scorer JVM", e);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the JVM at once (SIGKILL) and waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("scorer JVM did not die");
    }
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
