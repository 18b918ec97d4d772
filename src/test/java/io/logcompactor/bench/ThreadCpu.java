package io.logcompactor.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time per group of threads (the name without its trailing number) between two points, to say where the time
 * of a case goes: the service's pools, the event loops, S3Proxy's Jetty, the benchmark's own client.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> start = new HashMap<>();
  private double processStart;
  private long gcCountStart;
  private long gcMillisStart;
  private long jitMillisStart;

  private ThreadCpu() {}

  static ThreadCpu start() {
    ThreadCpu t = new ThreadCpu();
    t.processStart = processNow();
    t.gcCountStart = gcCount();
    t.gcMillisStart = gcMillis();
    t.jitMillisStart = jitMillis();
    for (long id : THREADS.getAllThreadIds()) {
      long cpu = THREADS.getThreadCpuTime(id);
      if (cpu >= 0) t.start.put(id, cpu);
    }
    return t;
  }

  /** CPU time of this whole process (service, S3Proxy, ElasticMQ, clients) since {@link #start()}, in ms. */
  double processMillis() {
    return processNow() - processStart;
  }

  /** Milliseconds of CPU per thread group since {@link #start()}, busiest first, groups under 10 ms left out. */
  String report() {
    Map<String, Double> groups = new TreeMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long cpu = THREADS.getThreadCpuTime(id);
      var info = THREADS.getThreadInfo(id);
      if (cpu < 0 || info == null) continue;
      double ms = (cpu - start.getOrDefault(id, 0L)) / 1e6;
      groups.merge(group(info.getThreadName()), ms, Double::sum);
    }
    double process = processMillis();
    double threads = groups.values().stream().mapToDouble(Double::doubleValue).sum();
    StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT,
        "process %d ms (outside live Java threads: GC, JIT, ended threads %d ms; JIT compile time %d ms; %d GCs, %d ms "
        + "paused); ", Math.round(process), Math.round(process - threads), jitMillis() - jitMillisStart,
        gcCount() - gcCountStart, gcMillis() - gcMillisStart));
    int prefix = sb.length();
    groups.entrySet().stream().filter(e -> e.getValue() >= 10)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> sb.append(sb.length() == prefix ? "" : ", ").append(e.getKey()).append(' ')
            .append(Math.round(e.getValue())).append(" ms"));
    return sb.toString();
  }

  private static long gcCount() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionCount()))
        .sum();
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime()))
        .sum();
  }

  private static long jitMillis() {
    var jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  private static double processNow() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e6;
  }

  static String group(String name) {
    return name.replaceAll("[-#_ ]?\\d+$", "").replaceAll("\\d+", "N");
  }
}
