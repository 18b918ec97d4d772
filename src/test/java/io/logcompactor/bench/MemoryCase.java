package io.logcompactor.bench;

import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.soak.Scrape;
import io.logcompactor.soak.ServiceProcess;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The service as operators run it, a separate JVM at {@code -Xmx256m}: peak heap (sampled from /metrics) and peak RSS
 * (VmHWM) while it merges a large job log and streams it to a slow client.
 */
final class MemoryCase {
  private MemoryCase() {}

  static Bench.Result run(LocalServers servers, Bench.Plan plan) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("bench-memory", 60, 5,
        k -> k.startsWith("kube.var.log.containers."));
    String pod = "bench-memory";
    FluentBitLogs.Container c = FluentBitLogs.Container.of(pod, "bench", "main", pod);
    int objects = (int) Math.max(2, plan.memoryPlainBytes() / (4L << 20));
    int plainPer = (int) (plan.memoryPlainBytes() / objects);
    Map<String, String> overrides = Map.of(
        "COMPACTOR_MERGE_THRESHOLD", Integer.toString(objects),
        "COMPACTOR_COMPACTION_INTERVAL", "1h",
        "COMPACTOR_RECONCILE_INTERVAL", "1h");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    AtomicLong peakHeap = new AtomicLong();
    try (ServiceProcess p = ServiceProcess.start("bench-memory", env, overrides, List.of("-Xmx256m"))) {
      AtomicLong outOfMemory = p.watch(Pattern.compile("OutOfMemoryError"));
      p.awaitReady(Duration.ofSeconds(60));
      sampler.scheduleAtFixedRate(() -> peakHeap.accumulateAndGet(heapUsed(p), Math::max), 0, 100,
          TimeUnit.MILLISECONDS);
      BenchData.upload(env.s3(), env.bucket(), c, objects, plainPer, 1, pool);
      // Threshold = objects: the tracker asks for the merge once the last notification arrives.
      Awaitility.await("the merge of " + pod + " (service log " + p.logFile() + ")").atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!p.isAlive()) throw new IllegalStateException("service died: see " + p.logFile());
            return rawLeft(env, pod) == 0 && hasMetadata(env, pod);
          });
      long served = slowRead(p.uri("/api/v1/jobs/" + pod + "/log"));
      sampler.shutdownNow();
      long rssKb = p.peakRssKb();
      if (outOfMemory.get() > 0 || !p.isAlive()) {
        throw new IllegalStateException("service ran out of memory: see " + p.logFile());
      }
      double heapMiB = peakHeap.get() / 1048576.0;
      return new Bench.Result("memory", "peak heap MiB at -Xmx256m", new Stats(List.of(heapMiB)), null, 256,
          String.format(Locale.ROOT, "%d MiB log merged and served (%d MiB out), peak RSS %d MiB, no OOM",
              plan.memoryPlainBytes() >> 20, served >> 20, rssKb / 1024));
    } finally {
      sampler.shutdownNow();
      pool.shutdownNow();
    }
  }

  private static long rawLeft(LocalServers.Environment env, String pod) {
    // Raw objects still unmerged: present and not listed as merged in the metadata.
    List<String> raw = new ArrayList<>();
    env.s3().listObjectsV2Paginator(b -> b.bucket(env.bucket()).prefix("kube.var.log.containers." + pod + "_"))
        .contents().forEach(o -> raw.add(o.key()));
    if (raw.isEmpty()) return 0;
    try {
      var m = io.logcompactor.layout.MetadataCodec.parse(pod,
          env.s3().getObjectAsBytes(b -> b.bucket(env.bucket()).key("metadata/" + pod + ".json")).asByteArray());
      raw.removeAll(m.mergedRawKeys());
      return raw.size();
    } catch (Exception e) {
      return raw.size();
    }
  }

  private static boolean hasMetadata(LocalServers.Environment env, String pod) {
    return env.s3().listObjectsV2(b -> b.bucket(env.bucket()).prefix("metadata/" + pod + ".json")).contents().stream()
        .map(S3Object::key).anyMatch(k -> k.equals("metadata/" + pod + ".json"));
  }

  /** A client reading about 64 MiB/s: slower than the service can produce, so back-pressure must hold memory. */
  private static long slowRead(URI uri) throws Exception {
    HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) throw new IllegalStateException("read answered " + r.statusCode());
    long served = 0;
    long t0 = System.nanoTime();
    try (InputStream in = r.body()) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        served += n;
        long due = t0 + served * 1_000_000_000L / (64L << 20);
        long wait = due - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
    return served;
  }

  private static long heapUsed(ServiceProcess service) {
    try {
      return (long) Scrape.of(service).sum("jvm_memory_used_bytes", "area", "heap");
    } catch (Exception e) {
      return 0;
    }
  }

}
