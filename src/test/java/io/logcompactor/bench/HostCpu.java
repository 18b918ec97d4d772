package io.logcompactor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The whole machine's CPU between two points, from the first line of {@code /proc/stat}: how much of the cores' time
 * went to work, to nothing, and to other guests of the hypervisor ("steal": time this VM wanted a core and the host
 * ran someone else). On the shared 2-core machines the benchmarks run on, steal is what moves a run's time without
 * moving its CPU, and a timed section with a lot of it says so. Off Linux it reports nothing.
 */
final class HostCpu {
  private static final Path STAT = Path.of("/proc/stat");
  /** Linux reports in USER_HZ ticks, 100 a second on every architecture the JDK runs on. */
  private static final double MS_PER_TICK = 10;
  private final long[] start;

  private HostCpu(long[] start) {
    this.start = start;
  }

  static HostCpu start() {
    return new HostCpu(read());
  }

  /** E.g. {@code host: busy 1410 ms, idle 60 ms, steal 130 ms}; empty when /proc/stat cannot be read. */
  String report() {
    return between(start, read());
  }

  static String between(long[] start, long[] now) {
    if (start == null || now == null) return "host: -";
    // user nice system idle iowait irq softirq steal (guest time is already counted in user).
    long busy = 0;
    for (int i : new int[] {0, 1, 2, 5, 6}) busy += now[i] - start[i];
    long idle = now[3] - start[3] + now[4] - start[4];
    long steal = now[7] - start[7];
    return String.format(Locale.ROOT, "host: busy %.0f ms, idle %.0f ms, steal %.0f ms", busy * MS_PER_TICK,
        idle * MS_PER_TICK, steal * MS_PER_TICK);
  }

  /** The eight counters of the "cpu" line, or null. */
  static long[] read() {
    try {
      String first = Files.readAllLines(STAT).get(0);
      return parse(first);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static long[] parse(String cpuLine) {
    String[] f = cpuLine.trim().split("\\s+");
    if (!f[0].equals("cpu") || f.length < 9) return null;
    long[] v = new long[8];
    for (int i = 0; i < 8; i++) v[i] = Long.parseLong(f[i + 1]);
    return v;
  }
}
