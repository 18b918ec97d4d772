package io.logcompactor.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Lets the benchmark JVM settle before a timed section: a full GC, then a wait until the JIT has compiled nothing for
 * a while. Without it, the garbage and the compile queue of whatever ran just before (generating and uploading the
 * data, the floor's 184 MiB buffers, the previous run) are charged to whichever side is timed next, and the two
 * sides of a ratio are charged unequally.
 */
final class Settle {
  private static final long QUIET_MILLIS = 300;
  private static final long MAX_WAIT_MILLIS = 10_000;

  private Settle() {}

  /** @return how long it took, in ms */
  static long now() throws InterruptedException {
    long start = System.nanoTime();
    System.gc();
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) return elapsed(start);
    long last = jit.getTotalCompilationTime();
    long quietSince = System.nanoTime();
    while (elapsed(start) < MAX_WAIT_MILLIS) {
      // A condition with no event to wait on: the compile counter is polled.
      Thread.sleep(50);
      long now = jit.getTotalCompilationTime();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      } else if ((System.nanoTime() - quietSince) / 1_000_000 >= QUIET_MILLIS) {
        break;
      }
    }
    return elapsed(start);
  }

  private static long elapsed(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
