package io.logcompactor.compaction;

import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.s3.S3Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Measures a merge against its floor (LIST the pod, GET every raw object in parallel, PUT the concatenation) and the
 * cost of proving every gzip object intact. Not a test: run by hand,
 * {@code mvn -q -o test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.logcompactor.compaction.MergeBench}.
 * Arguments: objects per pod (2000), random bytes per object (3072, about that much gzip), repetitions (5), objects
 * fetched ahead at once, comma-separated to compare (64).
 */
public final class MergeBench {
  private MergeBench() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
    // Worker pools of the servers are not daemons: leave explicitly.
    System.exit(0);
  }

  private static void run(String[] args) throws Exception {
    int objects = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 3072;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    List<Integer> aheads = java.util.Arrays.stream((args.length > 3 ? args[3] : "64").split(","))
        .map(Integer::parseInt).toList();
    try (LocalServers servers = LocalServers.start(null, 0, 0)) {
      LocalServers.Environment env = servers.newEnvironment("bench", 30, 5, key -> false);
      Vertx vertx = Vertx.vertx();
      S3Store store = new S3Store(vertx, env.s3(), env.bucket(), 32);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      CompactionMetrics metrics = new CompactionMetrics(registry);
      java.util.Map<Integer, List<Double>> ratios = new java.util.TreeMap<>();
      java.util.Map<Integer, List<Long>> merges = new java.util.TreeMap<>();
      List<Long> floors = new ArrayList<>();
      List<Long> validations = new ArrayList<>();
      long rawBytes = 0;
      int podNo = 0;
      for (int rep = -2; rep < reps; rep++) {
        for (int ahead : aheads) {
          String pod = "bench-" + podNo++;
          CompactionSettings d = CompactionSettings.DEFAULTS;
          PodCompactor compactor = new PodCompactor(store, 64L << 20, Duration.ofHours(1), new CompactionSettings(
              d.partSize(), d.singlePutMax(), d.lookAheadBytes(), d.streamThreshold(), d.streamLargeFiles(), 1, ahead), Clock.systemUTC(), Failpoints.NONE,
              metrics);
          upload(store, env, pod, objects, size, podNo);
          long t0 = System.nanoTime();
          List<S3Object> listing = store.listBlocking(io.logcompactor.layout.Keys.rawPodPrefix(pod));
          rawBytes = listing.stream().mapToLong(S3Object::size).sum();
          List<byte[]> bodies = getAll(store, listing);
          ByteArrayOutputStream all = new ByteArrayOutputStream();
          bodies.forEach(all::writeBytes);
          env.s3().putObject(b -> b.bucket(env.bucket()).key("floor/" + pod), RequestBody.fromBytes(all.toByteArray()));
          long t1 = System.nanoTime();
          for (byte[] b : bodies) {
            if (!GzipCheck.of(b, b.length).valid()) throw new IllegalStateException("bench data corrupt");
          }
          long t2 = System.nanoTime();
          RunResult r = compactor.compact(pod);
          long t3 = System.nanoTime();
          if (r.mergedRawFiles() != objects) throw new IllegalStateException("merged " + r.mergedRawFiles());
          if (rep >= 0) {
            floors.add(t1 - t0);
            validations.add(t2 - t1);
            merges.computeIfAbsent(ahead, k -> new ArrayList<>()).add(t3 - t2);
            ratios.computeIfAbsent(ahead, k -> new ArrayList<>()).add((double) (t3 - t2) / (t1 - t0));
          }
        }
      }
      System.out.printf("%d objects of ~%d bytes (%.1f MiB gzip) per pod, %d repetitions after 2 warm-ups%n",
          objects, rawBytes / objects, rawBytes / 1048576.0, reps);
      System.out.printf("floor (LIST, parallel GETs on 32 threads, 1 PUT): median %d ms%n", median(floors) / 1_000_000);
      System.out.printf("gzip validation alone, one thread: median %d ms (%.0f MiB/s of gzip)%n",
          median(validations) / 1_000_000, rawBytes / 1048576.0 / (median(validations) / 1e9));
      for (int ahead : aheads) {
        List<Double> rs = new ArrayList<>(ratios.get(ahead));
        rs.sort(null);
        System.out.printf("engine run, %d fetches ahead: median %d ms, median ratio to the floor measured just before: "
            + "%.2f%n", ahead, median(merges.get(ahead)) / 1_000_000, rs.get(rs.size() / 2));
      }
      System.out.printf("validation time recorded on fetch threads: %.0f ms in total over all runs%n",
          metrics.validation.totalTime(TimeUnit.MILLISECONDS));
      store.close();
      vertx.close().await();
    }
  }

  private static void upload(S3Store store, LocalServers.Environment env, String pod, int objects, int size, int seed) {
    FluentBitLogs.Container c = FluentBitLogs.Container.of(pod, "jobs", "app", pod);
    byte[] noise = new byte[size];
    java.util.Random random = new java.util.Random(seed);
    List<Future<Object>> puts = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      random.nextBytes(noise);
      String line = c.record(java.time.Instant.now(), "stdout", java.util.Base64.getEncoder().encodeToString(noise));
      byte[] body = FluentBitLogs.gzipLines(List.of(line));
      String key = c.rawKey(String.format("2026112520%02d", i / 100), i % 100);
      puts.add(store.blocking(() -> env.s3().putObject(b -> b.bucket(env.bucket()).key(key),
          RequestBody.fromBytes(body))));
    }
    Future.all(puts).await();
  }

  private static List<byte[]> getAll(S3Store store, List<S3Object> listing) {
    List<Future<byte[]>> futures = new ArrayList<>();
    for (S3Object o : listing) {
      futures.add(store.blocking(() -> store.client().getObjectAsBytes(b -> b.bucket(store.bucket()).key(o.key()))
          .asByteArrayUnsafe()));
    }
    Future.all(futures).await();
    return futures.stream().map(Future::result).toList();
  }

  private static long median(List<Long> nanos) {
    List<Long> s = new ArrayList<>(nanos);
    s.sort(null);
    return s.get(s.size() / 2);
  }
}
