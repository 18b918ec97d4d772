package io.logcompactor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU per group of threads of another JVM (the service in a process of its own), read from {@code /proc}: a thread's
 * {@code schedstat} holds its CPU time and its time waiting for a core in ns, its {@code status} how often it blocked,
 * and Linux names a Java thread after the first 15 characters of its name, so the service's pools, its JIT and its GC
 * can still be told apart.
 */
final class ProcessCpu {
  private final long pid;
  private final Map<String, ThreadTime> start;

  private ProcessCpu(long pid, Map<String, ThreadTime> start) {
    this.pid = pid;
    this.start = start;
  }

  static ProcessCpu start(long pid) {
    return new ProcessCpu(pid, threadTimes(pid, false));
  }

  /** CPU time, time ready but waiting for a core (both ns), and voluntary context switches: times it blocked. */
  private record ThreadTime(String name, long nanos, long waitNanos, long switches) {
    ThreadTime plus(ThreadTime o) {
      return new ThreadTime(name, nanos + o.nanos, waitNanos + o.waitNanos, switches + o.switches);
    }
  }

  /** CPU time of the JIT compiler threads of process {@code pid} so far, in ns. Polled while the service settles. */
  static long jitNanos(long pid) {
    return threadTimes(pid, true).values().stream().mapToLong(ThreadTime::nanos).sum();
  }

  private static boolean isJit(String thread) {
    return thread.startsWith("C1 Compi") || thread.startsWith("C2 Compi");
  }

  /**
   * Since {@link #start}: milliseconds of CPU in all, in the JIT, and per group of threads (groups under 10 ms left
   * out), each with the time its threads were ready to run but waited for a core ({@code ready}) and how often they
   * blocked and had to be woken ({@code woken}): on two cores, hand-offs between threads cost more than the work.
   */
  String report() {
    Map<String, ThreadTime> groups = new TreeMap<>();
    for (var e : threadTimes(pid, false).entrySet()) {
      ThreadTime now = e.getValue();
      ThreadTime before = start.getOrDefault(e.getKey(), new ThreadTime(now.name(), 0, 0, 0));
      String group = isJit(now.name()) ? "JIT" : ThreadCpu.group(now.name());
      groups.merge(group, new ThreadTime(group, now.nanos() - before.nanos(), now.waitNanos() - before.waitNanos(),
          now.switches() - before.switches()), ThreadTime::plus);
    }
    long total = groups.values().stream().mapToLong(ThreadTime::nanos).sum();
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%d ms: ", total / 1_000_000));
    int prefix = sb.length();
    groups.values().stream().filter(t -> t.nanos() >= 10_000_000)
        .sorted(java.util.Comparator.comparingLong(ThreadTime::nanos).reversed())
        .forEach(t -> sb.append(sb.length() == prefix ? "" : ", ").append(String.format(Locale.ROOT,
            "%s %d ms [ready %d ms, woken %dx]", t.name(), t.nanos() / 1_000_000, t.waitNanos() / 1_000_000,
            t.switches())));
    return sb.toString();
  }

  /**
   * Each live thread's times so far, by thread id; with {@code jitOnly}, only the JIT's threads and only their CPU
   * time (a poll every 50 ms need not read every thread's status).
   */
  private static Map<String, ThreadTime> threadTimes(long pid, boolean jitOnly) {
    Map<String, ThreadTime> times = new HashMap<>();
    Path tasks = Path.of("/proc/" + pid + "/task");
    try (var ids = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) ids::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).strip();
          if (jitOnly && !isJit(name)) continue;
          String[] f = Files.readString(task.resolve("schedstat")).strip().split(" ");
          long switches = 0;
          if (!jitOnly) {
            for (String line : Files.readAllLines(task.resolve("status"))) {
              if (line.startsWith("voluntary_ctxt_switches:")) switches = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
          }
          times.put(task.getFileName().toString(),
              new ThreadTime(name, Long.parseLong(f[0]), Long.parseLong(f[1]), switches));
        } catch (IOException | RuntimeException threadEnded) {
          // It ended between the listing and the read: its time is not counted, like any thread gone at the end.
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the threads of process " + pid + " in " + tasks, e);
    }
    return times;
  }
}
