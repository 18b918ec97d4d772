package io.logcompactor.local;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A few Kubernetes jobs, played one tick at a time as Fluent Bit would upload their logs: each running container
 * uploads one gzip object of JSON lines per tick. Jobs finish and new ones start; one kind runs two containers, one
 * kind's container crashes once and is restarted under a new container id. Pure: {@link DemoProducer} does the I/O.
 */
public final class DemoScript {
  /** How a kind of job runs: its containers, its length in ticks, and the tick its main container crashes (or -1). */
  record Kind(String name, List<String> containers, int ticks, int crashAt) {}

  static final List<Kind> KINDS = List.of(
      new Kind("etl", List.of("main"), 12, -1),
      new Kind("report", List.of("main", "uploader"), 14, -1),
      new Kind("flaky", List.of("main"), 10, 4));

  /** One object to upload. */
  public record Upload(String key, byte[] body, int lines, String pod) {}

  private static final String NAMESPACE = "demo";
  private static final char[] POD_SUFFIX = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

  private final String runId;
  private final int concurrentJobs;
  private final List<Job> running = new ArrayList<>();
  private long nextIndex;
  private int nextJob;

  /**
   * @param runId          distinguishes this run's pod names from earlier runs' (local mode keeps its bucket)
   * @param concurrentJobs jobs running at any time
   */
  public DemoScript(String runId, int concurrentJobs) {
    this.runId = runId;
    this.concurrentJobs = concurrentJobs;
    startJobs();
  }

  /** The uploads of one tick that ends at {@code now}; {@code tick} is how long a tick lasts, for the lines' times. */
  public synchronized List<Upload> tick(Instant now, Duration tick) {
    List<Upload> uploads = new ArrayList<>();
    for (Job job : running) job.play(now, tick, uploads);
    running.removeIf(Job::finished);
    startJobs();
    return uploads;
  }

  private void startJobs() {
    while (running.size() < concurrentJobs) running.add(newJob());
  }

  /** Names of the pods running now, for the banner. */
  public synchronized List<String> runningPods() {
    return running.stream().map(j -> j.pod).toList();
  }

  private Job newJob() {
    int n = nextJob++;
    Kind kind = KINDS.get(n % KINDS.size());
    String job = kind.name() + "-" + (n + 1);
    // Stagger the first jobs so that they do not all finish in the same tick; the last of them starts from scratch,
    // so the first "flaky" job shows its restart within a minute.
    return new Job(kind, job + "-" + podSuffix(job), n < concurrentJobs ? (concurrentJobs - 1 - n) * 3 : 0);
  }

  /** Kubernetes names a job's pod {job}-{5 random characters}; here they are derived from the run, reproducibly. */
  private String podSuffix(String job) {
    Random r = new Random((runId + "/" + job).hashCode());
    char[] s = new char[5];
    for (int i = 0; i < s.length; i++) s[i] = POD_SUFFIX[r.nextInt(POD_SUFFIX.length)];
    return new String(s);
  }

  private final class Job {
    final Kind kind;
    final String pod;
    final Random random;
    final int lastTick;
    int tick;
    int restarts;
    boolean starting;

    Job(Kind kind, String pod, int headStart) {
      this.kind = kind;
      this.pod = pod;
      this.random = new Random(pod.hashCode());
      this.tick = Math.min(headStart, kind.ticks() - 2);
      this.lastTick = kind.ticks() - 1;
      this.starting = this.tick == 0;
    }

    boolean finished() {
      return tick > lastTick;
    }

    void play(Instant now, Duration length, List<Upload> out) {
      for (String name : kind.containers()) {
        FluentBitLogs.Container c = FluentBitLogs.Container.of(pod, NAMESPACE, name, pod + "/" + name + "/" + restarts);
        List<String> lines = lines(c, now, length);
        byte[] body = FluentBitLogs.gzipLines(lines);
        out.add(new Upload(c.rawKey(FluentBitLogs.minute(now), nextIndex++), body, lines.size(), pod));
      }
      // The crash is the main container's last line before its restart: the next tick uploads under a new id.
      starting = false;
      if (tick == kind.crashAt() && restarts == 0) {
        restarts++;
        starting = true;
      }
      tick++;
    }

    private List<String> lines(FluentBitLogs.Container c, Instant end, Duration length) {
      int n = 3 + random.nextInt(4);
      List<String> lines = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Instant t = end.minus(length.multipliedBy(n - i).dividedBy(n + 1));
        boolean last = i == n - 1;
        if (last && tick == kind.crashAt() && restarts == 0) {
          lines.add(c.record(t, "stderr", "panic: connection reset by peer while writing batch " + tick));
        } else if (last && tick == lastTick) {
          lines.add(c.record(t, "stdout", c.name() + ": done after " + kind.ticks() + " steps, exit 0"));
        } else if (i == 0 && starting) {
          lines.add(c.record(t, "stdout", c.name() + ": starting " + kind.name() + " (restart " + restarts + ")"));
        } else if (random.nextInt(10) == 0) {
          lines.add(c.record(t, "stderr", "warning: slow response from upstream (" + (200 + random.nextInt(800)) + " ms)"));
        } else {
          lines.add(c.record(t, "stdout", c.name() + ": step " + (tick + 1) + "/" + kind.ticks() + ": processed "
              + (100 + random.nextInt(9900)) + " rows"));
        }
      }
      return lines;
    }
  }
}
