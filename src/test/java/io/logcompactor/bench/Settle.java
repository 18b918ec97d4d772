package io.logcompactor.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Lets the benchmark JVM settle before a timed section: a full GC, then a wait until the JIT has compiled nothing for
 * a while. Without it, the garbage and the compile queue of whatever ran just before (generating and uploading the
 * data, the floor's 184 MiB buffers, the previous run) are charged to whichever side is timed next, and the two
 * sides of a ratio are charged unequally.
 */
final class Settle {
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration QUIET = Duration.ofMillis(300);
  private static final Duration MAX_WAIT = Duration.ofSeconds(10);

  private Settle() {}

  /** @return how long it took, in ms */
  static long now() {
    long start = System.nanoTime();
    System.gc();
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit != null && jit.isCompilationTimeMonitoringSupported()) untilQuiet(jit::getTotalCompilationTime);
    return elapsed(start);
  }

  /** Waits until the JIT of another JVM (the service in its own process) is idle for a while. @return how long, in ms */
  static long process(long pid) {
    long start = System.nanoTime();
    untilQuiet(() -> ProcessCpu.jitNanos(pid));
    return elapsed(start);
  }

  private static void untilQuiet(LongSupplier jitCounter) {
    long[] last = {jitCounter.getAsLong()};
    try {
      // The JIT has no event to wait on: its counter is polled until it stays put for QUIET.
      Awaitility.await("a quiet JIT").pollInterval(POLL).during(QUIET).atMost(MAX_WAIT).until(() -> {
        long now = jitCounter.getAsLong();
        boolean unchanged = now == last[0];
        last[0] = now;
        return unchanged;
      });
    } catch (ConditionTimeoutException stillCompiling) {
      // A JVM this busy may never rest that long: the section is timed anyway, and the bench prints its compile time.
    }
  }

  private static long elapsed(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
