package dev.streamvae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading the JIT's and the collector's thread CPU from {@code /proc}. */
class JvmThreadCpuTest {

  @Test
  void ticksAreUserPlusSystemTimeEvenWhenTheNameHasSpacesAndParentheses() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    String stat = "4242 (C2 Compiler) x)) S 1 4242 4242 0 -1 4194368 10 0 0 0 1234 56 0 0 20 0 "
        + "30 0 100 0 0";
    assertThat(JvmThreadCpu.ticks(stat)).isEqualTo(1290);
  }

  @Test
  void hotSpotThreadNamesAreSortedIntoJitAndGc() {
    assertThat(JvmThreadCpu.kindOf("C2 CompilerThre")).hasToString("JIT");
    assertThat(JvmThreadCpu.kindOf("C1 CompilerThre")).hasToString("JIT");
    assertThat(JvmThreadCpu.kindOf("GC Thread#1")).hasToString("GC");
    assertThat(JvmThreadCpu.kindOf("G1 Conc#0")).hasToString("GC");
    assertThat(JvmThreadCpu.kindOf("VM Thread")).hasToString("GC");
    assertThat(JvmThreadCpu.kindOf("data-plane-kafk")).isNull();
    assertThat(JvmThreadCpu.kindOf("streamvae-bench")).isNull();
  }

  @Test
  void readsThisJvmOnLinux() {
    JvmThreadCpu now = JvmThreadCpu.now();
    if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task"))) {
      assertThat(now.jitNanos).isGreaterThanOrEqualTo(0);
      assertThat(now.gcNanos).isGreaterThanOrEqualTo(0);
    } else {
      assertThat(now.jitNanos).isEqualTo(-1);
    }
  }
}
