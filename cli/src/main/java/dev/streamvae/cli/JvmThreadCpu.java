package dev.streamvae.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of the JVM's own threads, which {@link java.lang.management.ThreadMXBean} does not
 * see: the JIT compilers and the garbage collector. {@code anomaly bench} runs the broker, the
 * load generator and the application in one young JVM, and its process CPU per record includes
 * whatever the JIT is still compiling (measured: half a core through a two-minute run), so the
 * bench reports these separately from the process total.
 *
 * <p>Read from {@code /proc/self/task} (Linux); where that is missing every figure is -1.
 */
final class JvmThreadCpu {

  private static final Path TASKS = Path.of("/proc/self/task");
  /** Clock ticks per second of {@code /proc}'s utime and stime; 100 on every Linux here. */
  private static final long TICKS_PER_SECOND = 100;

  final long jitNanos;
  final long gcNanos;

  private JvmThreadCpu(long jitNanos, long gcNanos) {
    this.jitNanos = jitNanos;
    this.gcNanos = gcNanos;
  }

  /** The JIT compilers' and the garbage collector's CPU so far (threads alive now). */
  static JvmThreadCpu now() {
    if (!Files.isDirectory(TASKS)) {
      return new JvmThreadCpu(-1, -1);
    }
    long jit = 0;
    long gc = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        String name;
        String stat;
        try {
          name = Files.readString(task.resolve("comm")).strip();
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended while being read
        }
        Kind kind = kindOf(name);
        if (kind == null) {
          continue;
        }
        long nanos = ticks(stat) * (1_000_000_000L / TICKS_PER_SECOND);
        if (kind == Kind.JIT) {
          jit += nanos;
        } else {
          gc += nanos;
        }
      }
    } catch (IOException e) {
      return new JvmThreadCpu(-1, -1);
    }
    return new JvmThreadCpu(jit, gc);
  }

  enum Kind { JIT, GC }

  /** HotSpot's native thread names (cut to 15 characters by Linux). */
  static Kind kindOf(String name) {
    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
      return Kind.JIT;
    }
    if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread")) {
      return Kind.GC;
    }
    return null;
  }

  /** utime + stime of one {@code /proc/.../stat} line; the name field may hold spaces. */
  static long ticks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // After the name: state is field 3 of the line, utime and stime are fields 14 and 15.
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
