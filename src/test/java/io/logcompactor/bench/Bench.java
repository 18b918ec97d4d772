package io.logcompactor.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.logcompactor.Service;
import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import io.logcompactor.bus.Addresses;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.soak.ServiceProcess;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * {@code make bench}: each case timed several times against its floor measured in the same run, on the same local
 * S3Proxy + ElasticMQ, with the same client settings and concurrency. Prints a table, writes
 * {@code target/bench/results.json}. {@code --quick} is the smoke run the test suite uses; {@code --runs=N} times
 * each case N times instead of 5.
 */
public final class Bench {
  /** Sizes and repetitions of one bench run. */
  public record Plan(int smallObjects, int smallBytes, int largeObjects, int largeBytes, int ingestMessages,
                     long readPlainBytes, long memoryPlainBytes, int runs, boolean memory, Path outDir,
                     java.util.Set<String> only) {
    static Plan full(Path out) {
      return new Plan(2_000, 4 * 1024, 200, 1 << 20, 20_000, 500L << 20, 1L << 30, 5, true, out, java.util.Set.of());
    }

    static Plan quick(Path out) {
      return new Plan(40, 4 * 1024, 4, 256 * 1024, 200, 4L << 20, 8L << 20, 1, false, out, java.util.Set.of());
    }

    /** Whether this run includes {@code name}: all cases unless {@code --only=a,b} named some. */
    boolean includes(String name) {
      return only.isEmpty() || only.contains(name);
    }

    Plan runs(int n) {
      if (n < 1) throw new IllegalArgumentException("--runs must be at least 1");
      return new Plan(smallObjects, smallBytes, largeObjects, largeBytes, ingestMessages, readPlainBytes,
          memoryPlainBytes, n, memory, outDir, only);
    }

    Plan only(java.util.Set<String> names) {
      return new Plan(smallObjects, smallBytes, largeObjects, largeBytes, ingestMessages, readPlainBytes,
          memoryPlainBytes, runs, memory, outDir, names);
    }
  }

  /** One row of the table. */
  public record Result(String name, String unit, Stats ours, Stats floor, double target, String note) {
    double ratio() {
      return floor == null ? Double.NaN : ours.median() / floor.median();
    }

    boolean met() {
      return Double.isNaN(ratio()) ? ours.median() <= target : ratio() <= target;
    }
  }

  private final Plan plan;
  private final LocalServers servers;
  private final ExecutorService pool = Executors.newFixedThreadPool(32);
  private final List<Result> results = new ArrayList<>();

  Bench(Plan plan, LocalServers servers) {
    this.plan = plan;
    this.servers = servers;
  }

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    Path out = Path.of("target", "bench");
    Plan plan = quick ? Plan.quick(out) : Plan.full(out);
    for (String a : args) {
      if (a.startsWith("--only=")) plan = plan.only(java.util.Set.of(a.substring("--only=".length()).split(",")));
      if (a.startsWith("--runs=")) plan = plan.runs(Integer.parseInt(a.substring("--runs=".length())));
    }
    List<Result> results = run(plan);
    boolean allMet = results.stream().allMatch(Result::met);
    System.out.println(allMet ? "bench: every target met" : "bench: some targets missed (see table)");
    System.exit(0);
  }

  public static List<Result> run(Plan plan) throws Exception {
    Files.createDirectories(plan.outDir());
    Path store = plan.outDir().resolve("s3");
    deleteTree(store);
    try (LocalServers servers = LocalServers.start(store, 0, 0)) {
      Bench b = new Bench(plan, servers);
      try {
        if (plan.includes("merge-small")) b.merge("merge-small", plan.smallObjects(), plan.smallBytes(), 1.5);
        if (plan.includes("merge-large")) b.merge("merge-large", plan.largeObjects(), plan.largeBytes(), 1.3);
        if (plan.includes("ingest")) b.ingest();
        if (plan.includes("read")) b.read();
        if (plan.memory() && plan.includes("memory")) b.results.add(MemoryCase.run(servers, plan));
      } finally {
        b.pool.shutdownNow();
      }
      b.report();
      return b.results;
    }
  }

  /** No merge, clean or reconcile but the ones a case asks for. */
  private static final Map<String, String> QUIET_SERVICE = Map.of("COMPACTOR_MERGE_THRESHOLD", "1000000",
      "COMPACTOR_COMPACTION_INTERVAL", "1h", "COMPACTOR_CLEANUP_INTERVAL", "1h", "COMPACTOR_RECONCILE_INTERVAL", "1h");

  private Service startService(LocalServers.Environment env, Map<String, String> overrides) throws Exception {
    Map<String, String> o = new LinkedHashMap<>(QUIET_SERVICE);
    o.putAll(overrides);
    return Service.start(env.config(o));
  }

  /** Before a timed section, except in the smoke run (which times nothing it reports on). */
  private void settle() {
    if (plan.runs() > 1) Settle.now();
  }

  /** The same, and the service in its own JVM as well. */
  private void settle(ServiceProcess service) {
    settle();
    if (plan.runs() > 1) Settle.process(service.pid());
  }

  private JsonObject mergePod(Service service, String pod) throws Exception {
    return service.vertx().eventBus()
        .<JsonObject>request(Addresses.MERGE_POD, new JsonObject().put("pod", pod).put("cause", "bench"),
            new DeliveryOptions().setSendTimeout(TimeUnit.MINUTES.toMillis(10)))
        .await(10, TimeUnit.MINUTES).body();
  }

  /** Merge of one pod of {@code objects} raw objects of about {@code bytes} compressed, and its S3 requests. */
  private void merge(String name, int objects, int bytes, double target) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("bench-" + name, 30, 5, k -> false);
    S3Client s3 = env.s3();
    // Fluent Bit level-6 objects of about the requested compressed size: plain text compresses ~4-6x.
    FluentBitLogs.Container proto = FluentBitLogs.Container.of("proto", "bench", "main", "proto");
    List<byte[]> bodies = new ArrayList<>(objects);
    {
      List<java.util.concurrent.Future<byte[]>> fs = new ArrayList<>();
      for (int i = 0; i < objects; i++) {
        final int idx = i;
        // The generator's lines compress about 10:1 at level 6: ten times the target in plain text.
        fs.add(pool.submit(() -> BenchData.rawObject(proto, Instant.parse("2026-11-25T20:00:00Z"), bytes * 10,
            new SplittableRandom(idx), 6, new long[] {idx * 1_000_000L})));
      }
      for (var f : fs) bodies.add(f.get());
    }
    long compressed = bodies.stream().mapToLong(b -> b.length).sum();
    Service service = startService(env, Map.of());
    List<Double> ours = new ArrayList<>();
    List<Double> floor = new ArrayList<>();
    List<Double> requestsPerFile = new ArrayList<>();
    List<Double> cpuOurs = new ArrayList<>();
    List<Double> cpuFloor = new ArrayList<>();
    try {
      // Warm-ups: a merge runs through far more code than its floor, and one run leaves the JIT still compiling it in
      // the timed ones (its compile time is printed with each run's CPU). The per-object code reaches the JIT's
      // thresholds by the number of objects merged: three runs of merge-small's 2,000 do, three of merge-large's 200
      // did not (the JIT compiled 1.1-1.6 s in each of its first three timed runs, 0.2-0.3 s in the next two).
      int warmups = plan.runs() > 1 ? (objects >= 1_000 ? 3 : 6) : 0;
      for (int run = -warmups; run < plan.runs(); run++) {
        String pod = name + "-" + (run + warmups);
        FluentBitLogs.Container c = FluentBitLogs.Container.of(pod, "bench", "main", pod);
        List<String> keys = uploadBodies(s3, env.bucket(), c, bodies);
        settle();
        ThreadCpu floorThreads = ThreadCpu.start();
        HostCpu floorHost = HostCpu.start();
        floor.add(Floors.mergeMillis(s3, env.bucket(), keys, "floor/" + pod + ".gz", pool));
        double floorCpu = floorThreads.processMillis();
        String floorReport = floorHost.report() + "; " + floorThreads.report();
        double before = totalRequests(service);
        settle();
        ThreadCpu ourThreads = ThreadCpu.start();
        HostCpu ourHost = HostCpu.start();
        long t0 = System.nanoTime();
        JsonObject reply = mergePod(service, pod);
        double ms = (System.nanoTime() - t0) / 1e6;
        double ourCpu = ourThreads.processMillis();
        System.out.printf(Locale.ROOT, "%s run %d: %.0f ms, floor %.0f ms%n  CPU ours:  %s; %s%n  CPU floor: %s%n", name,
            run, ms, floor.get(floor.size() - 1), ourHost.report(), ourThreads.report(), floorReport);
        if (!"merged".equals(reply.getString("status"))) throw new IllegalStateException("merge of " + pod + ": " + reply);
        // The clean phase of the next run deletes what this one merged: count it in this file's lifecycle.
        mergePod(service, pod);
        double requests = totalRequests(service) - before;
        if (run >= 0) {
          ours.add(ms);
          requestsPerFile.add(requests / objects);
          cpuOurs.add(ourCpu);
          cpuFloor.add(floorCpu);
        } else {
          floor.remove(floor.size() - 1);
        }
      }
    } finally {
      service.stop().await(1, TimeUnit.MINUTES);
    }
    String note = String.format(Locale.ROOT, "%d objects, %.1f MiB compressed; CPU %.0f ms ours, %.0f ms floor (all "
        + "threads, median)", objects, compressed / 1048576.0, new Stats(cpuOurs).median(), new Stats(cpuFloor).median());
    results.add(new Result(name, "ms", new Stats(ours), new Stats(floor), target, note));
    if (name.equals("merge-small")) {
      double floorRequests = 1.0 + 1.0 / objects + 1.0 / 1000;
      results.add(new Result("requests", "S3 requests per raw file", new Stats(requestsPerFile),
          new Stats(List.of(floorRequests)), 1.2, "GET+PUT+LIST+DELETE over merge and the next clean"));
    }
  }

  private List<String> uploadBodies(S3Client s3, String bucket, FluentBitLogs.Container c, List<byte[]> bodies)
      throws Exception {
    List<String> keys = new ArrayList<>();
    List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
    Instant base = Instant.parse("2026-11-25T20:00:00Z");
    for (int i = 0; i < bodies.size(); i++) {
      String key = c.rawKey(base.plusSeconds(i / 4 * 60L), i % 4);
      byte[] body = bodies.get(i);
      keys.add(key);
      fs.add(pool.submit(() -> s3.putObject(b -> b.bucket(bucket).key(key),
          software.amazon.awssdk.core.sync.RequestBody.fromBytes(body))));
    }
    for (var f : fs) f.get();
    return keys;
  }

  private static double totalRequests(Service service) {
    return service.registry().find("compactor.s3.requests").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** Notifications per second from SQS into tracker state, against a bare receive + delete-batch loop. */
  private void ingest() throws Exception {
    int n = plan.ingestMessages();
    int pollers = 2;
    List<Double> ours = new ArrayList<>();
    List<Double> floor = new ArrayList<>();
    for (int run = 0; run < plan.runs(); run++) {
      LocalServers.Environment fenv = servers.newEnvironment("bench-ingest-floor", 60, 5, k -> false);
      preload(fenv, n);
      floor.add(Floors.ingestMillis(fenv.sqs(), fenv.queueUrl(), n, pollers, pool));

      LocalServers.Environment env = servers.newEnvironment("bench-ingest", 60, 5, k -> false);
      preload(env, n);
      Service service = startService(env, Map.of("COMPACTOR_SQS_POLLERS", Integer.toString(pollers),
          "COMPACTOR_SQS_WAIT_TIME", "1s"));
      try {
        ours.add(IngestProbe.millisUntilDrained(service, env, n));
      } finally {
        service.stop().await(1, TimeUnit.MINUTES);
      }
    }
    // Report as a rate, but the ratio is of times (ours / floor), like every other row.
    results.add(new Result("ingest", "ms for " + n + " notifications", new Stats(ours), new Stats(floor), 1.2,
        String.format(Locale.ROOT, "%.0f msg/s ours, %.0f msg/s floor", n / (new Stats(ours).median() / 1000),
            n / (new Stats(floor).median() / 1000))));
  }

  private void preload(LocalServers.Environment env, int n) throws Exception {
    List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < n; i += 10) {
      final int start = i;
      fs.add(pool.submit(() -> {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int j = start; j < Math.min(n, start + 10); j++) {
          FluentBitLogs.Container c = FluentBitLogs.Container.of("ingest-" + (j % 200), "bench", "main", "c" + (j % 200));
          String key = c.rawKey(Instant.parse("2026-11-25T20:00:00Z").plusSeconds(j / 200 * 60L), j);
          entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(j - start))
              .messageBody(servers.bridge().event(env.bucket(), key, 4096, "0123456789abcdef0123456789abcdef",
                  "ObjectCreated:Put")).build());
        }
        env.sqs().sendMessageBatch(b -> b.queueUrl(env.queueUrl()).entries(entries));
        return null;
      }));
    }
    for (var f : fs) f.get();
  }

  /**
   * Streaming a job log through the HTTP API, against GET + gunzip of the same merged objects. The reading service
   * runs in a JVM of its own, as in a Deployment: it owns both cores' worth of threads a read uses, and its JIT settles
   * on its own code, where in the benchmark JVM the JIT keeps compiling the S3Proxy, ElasticMQ and client code around
   * it (100-500 ms of compiling per run, charged to whichever side was timed).
   */
  private void read() throws Exception {
    LocalServers.Environment env = servers.newEnvironment("bench-read", 30, 5, k -> false);
    String pod = "bench-read";
    FluentBitLogs.Container c = FluentBitLogs.Container.of(pod, "bench", "main", pod);
    int objects = (int) Math.max(2, plan.readPlainBytes() / (5L << 20));
    int plainPer = (int) (plan.readPlainBytes() / objects);
    BenchData.upload(env.s3(), env.bucket(), c, objects, plainPer, 6, pool);
    Service merger = startService(env, Map.of());
    try {
      JsonObject reply = mergePod(merger, pod);
      if (!"merged".equals(reply.getString("status"))) throw new IllegalStateException("merge: " + reply);
    } finally {
      merger.stop().await(1, TimeUnit.MINUTES);
    }
    // The files the metadata lists: a data/ listing may also hold an orphan of a retried write.
    byte[] metadata = env.s3().getObjectAsBytes(b -> b.bucket(env.bucket()).key(Keys.metadataKey(pod))).asByteArray();
    List<String> merged = MetadataCodec.parse(pod, metadata).logFiles().stream().map(JobMetadata.MergedFile::key)
        .toList();
    List<Double> ours = new ArrayList<>();
    List<Double> floor = new ArrayList<>();
    double plain = 0;
    // The Deployment's JVM: a 1 GiB memory limit with the Dockerfile's MaxRAMPercentage=75.
    List<String> jvm = new ArrayList<>(List.of("-Xmx768m", "-XX:+ExitOnOutOfMemoryError"));
    jvm.addAll(extraServiceJvmOptions());
    try (ServiceProcess service = ServiceProcess.start("bench-read", env, QUIET_SERVICE, jvm)) {
      service.awaitReady(Duration.ofSeconds(60));
      // HttpURLConnection rather than java.net.http: its reactive body pipeline costs the shared two cores about a
      // tenth of a read's CPU, which would be charged to the service.
      URL url = service.uri("/api/v1/jobs/" + pod + "/log").toURL();
      // Twenty warm-ups (10 GiB read, about 16 s): the scanner's loops reach their final compiled form only after a few
      // hundred MiB, but the per-read and per-chunk code (HTTP, event bus, S3 client) runs a few hundred times a read,
      // and the service's JIT still compiled 200-700 ms during each of the first ten reads and 35-150 ms during the
      // next ten, on the two cores the read needs (each run prints its JIT's CPU). A service in production is warm.
      int warmups = plan.runs() > 1 ? 20 : 0;
      for (int run = -warmups; run < plan.runs(); run++) {
        settle();
        HostCpu floorHost = HostCpu.start();
        double[] f = Floors.readMillis(env.s3(), env.bucket(), merged);
        String floorHostReport = floorHost.report();
        plain = f[1];
        settle(service);
        ProcessCpu serviceCpu = ProcessCpu.start(service.pid());
        ThreadCpu cpu = ThreadCpu.start();
        HostCpu host = HostCpu.start();
        long t0 = System.nanoTime();
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        int status = connection.getResponseCode();
        long served = 0;
        try (InputStream in = connection.getInputStream()) {
          byte[] buf = new byte[64 * 1024];
          int k;
          while ((k = in.read(buf)) > 0) served += k;
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        System.out.printf(Locale.ROOT, "read run %d: %.0f ms (%s), floor %.0f ms (%s); service JVM CPU %s; benchmark "
            + "JVM (client, S3Proxy) %s%n", run, ms, host.report(), f[0], floorHostReport, serviceCpu.report(),
            cpu.report());
        if (status != 200 || served == 0) throw new IllegalStateException("read answered " + status);
        if (!service.isAlive()) throw new IllegalStateException("the service died; see " + service.logFile());
        if (run >= 0) {
          ours.add(ms);
          floor.add(f[0]);
        }
      }
      // A clean exit, so that a profiler given in BENCH_SERVICE_JVM_OPTS writes its recording.
      service.terminate(Duration.ofSeconds(30));
    }
    results.add(new Result("read", "ms", new Stats(ours), new Stats(floor), 1.5,
        String.format(Locale.ROOT, "%.0f MiB of log text, %d objects", plain / 1048576.0, objects)));
  }

  /**
   * {@code BENCH_SERVICE_JVM_OPTS}, split on spaces: options for the read's service JVM, to profile it where it runs
   * (for example {@code -XX:StartFlightRecording=filename=target/bench/read.jfr}).
   */
  static List<String> extraServiceJvmOptions() {
    String opts = System.getenv("BENCH_SERVICE_JVM_OPTS");
    return opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
  }

  private void report() throws Exception {
    StringBuilder table = new StringBuilder();
    table.append(String.format(Locale.ROOT, "%-12s %14s %14s %8s %7s %7s  %s%n", "case", "ours (median)",
        "floor (median)", "ratio", "target", "spread", "notes"));
    for (Result r : results) {
      table.append(String.format(Locale.ROOT, "%-12s %14.2f %14s %8s %7s %6.0f%%  %s %s%n", r.name(),
          r.ours().median(), r.floor() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.floor().median()),
          Double.isNaN(r.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio()),
          (Double.isNaN(r.ratio()) ? "<" : "<=") + fmt(r.target()), r.ours().spread() * 100,
          r.met() ? "" : "MISSED", r.unit() + "; " + r.note()));
    }
    System.out.print(table);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Result r : results) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("case", r.name());
      m.put("unit", r.unit());
      m.put("ours_median", r.ours().median());
      m.put("ours_samples", r.ours().samples());
      m.put("floor_median", r.floor() == null ? null : r.floor().median());
      m.put("floor_samples", r.floor() == null ? null : r.floor().samples());
      m.put("ratio", Double.isNaN(r.ratio()) ? null : r.ratio());
      m.put("target", r.target());
      m.put("met", r.met());
      m.put("note", r.note());
      rows.add(m);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("time", Instant.now().toString());
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("java", System.getProperty("java.version"));
    doc.put("results", rows);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(plan.outDir().resolve("results.json").toFile(), doc);
    Files.writeString(plan.outDir().resolve("results.txt"), table);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static void deleteTree(Path p) throws java.io.IOException {
    if (!Files.exists(p)) return;
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
    }
  }
}
