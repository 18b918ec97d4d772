package io.logcompactor.soak;

import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Plays Fluent Bit for a set of pods: uploads gzip JSON-lines objects at real raw keys straight to S3 (the bridge then
 * notifies SQS) and records every line in an {@link UploadLedger}. Every message is unique and names its pod,
 * container and sequence number, so a reader's output can be checked line by line.
 *
 * <p>Pods have a {@code main} container; every third pod also has a {@code sidecar}; every fifth pod's main container
 * restarts (a new container id) halfway through {@link #startBackground}. Bounded: a background run uploads a fixed
 * number of rounds and stops by itself.
 */
public final class LogProducer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogProducer.class);
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final LocalServers.Environment env;
  private final List<PodState> pods = new ArrayList<>();
  private final int linesPerObject;
  private final Random random;
  private final UploadLedger ledger = new UploadLedger();
  private final AtomicInteger rounds = new AtomicInteger();
  private long index;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private ScheduledExecutorService scheduler;
  private CountDownLatch finished = new CountDownLatch(0);

  private static final class PodState {
    final String pod;
    final List<ContainerState> containers = new ArrayList<>();

    PodState(String pod) {
      this.pod = pod;
    }
  }

  private static final class ContainerState {
    FluentBitLogs.Container container;
    long seq;

    ContainerState(FluentBitLogs.Container container) {
      this.container = container;
    }
  }

  public LogProducer(LocalServers.Environment env, String podPrefix, int podCount, int linesPerObject, long seed) {
    this.env = env;
    this.linesPerObject = linesPerObject;
    this.random = new Random(seed);
    for (int i = 0; i < podCount; i++) {
      PodState p = new PodState(podPrefix + "-" + i);
      p.containers.add(new ContainerState(FluentBitLogs.Container.of(p.pod, "jobs", "main", p.pod + "/main/0")));
      if (i % 3 == 2) {
        p.containers.add(new ContainerState(FluentBitLogs.Container.of(p.pod, "jobs", "sidecar", p.pod + "/sidecar")));
      }
      pods.add(p);
    }
  }

  public List<String> podNames() {
    return pods.stream().map(p -> p.pod).toList();
  }

  public UploadLedger ledger() {
    return ledger;
  }

  /** Uploads one object for every container of every pod. */
  public synchronized void uploadRound() {
    for (PodState p : pods) {
      for (ContainerState c : p.containers) upload(p, c);
    }
    rounds.incrementAndGet();
  }

  /** Uploads one object for every container of one pod. */
  public synchronized void uploadPod(String pod) {
    PodState p = pods.stream().filter(x -> x.pod.equals(pod)).findFirst().orElseThrow();
    for (ContainerState c : p.containers) upload(p, c);
  }

  /** Some pods' main containers restart: later uploads carry a new container id, as after a crash loop. */
  public synchronized void restartContainers() {
    for (int i = 0; i < pods.size(); i += 5) {
      ContainerState main = pods.get(i).containers.get(0);
      FluentBitLogs.Container old = main.container;
      main.container = FluentBitLogs.Container.of(old.pod(), old.namespace(), old.name(), old.id() + "/restarted");
    }
  }

  private void upload(PodState p, ContainerState c) {
    Instant now = Instant.now();
    List<String> messages = new ArrayList<>(linesPerObject);
    List<String> records = new ArrayList<>(linesPerObject);
    for (int i = 0; i < linesPerObject; i++) {
      String message = p.pod + " " + c.container.name() + " seq=" + String.format("%07d", c.seq++) + " " + filler();
      messages.add(message);
      records.add(c.container.record(now.plusNanos(i * 1000L), i % 4 == 3 ? "stderr" : "stdout", message));
    }
    // Fluent Bit's $INDEX counts every upload of the output, across containers: a restarted container's first
    // object sorts after its predecessor's even within one minute.
    String key = c.container.rawKey(FluentBitLogs.minute(now), index++);
    byte[] body = FluentBitLogs.gzipLines(records);
    RuntimeException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        env.s3().putObject(b -> b.bucket(env.bucket()).key(key), RequestBody.fromBytes(body));
        ledger.record(new UploadLedger.Upload(p.pod, c.container.name(), c.container.id(), key, messages));
        return;
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw new IllegalStateException("producer could not upload " + key, last);
  }

  private String filler() {
    int n = 20 + random.nextInt(60);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    return sb.toString();
  }

  /** Uploads {@code total} rounds, one every {@code period}, on a thread of its own; restarts containers halfway. */
  public synchronized void startBackground(Duration period, int total) {
    if (scheduler != null) throw new IllegalStateException("already started");
    finished = new CountDownLatch(1);
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "log-producer");
      t.setDaemon(true);
      return t;
    });
    AtomicInteger done = new AtomicInteger();
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        if (done.get() == total / 2) restartContainers();
        uploadRound();
        if (done.incrementAndGet() >= total) stopBackground();
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
        LOG.error("producer failed", t);
        stopBackground();
      }
    }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void stopBackground() {
    scheduler.shutdown();
    finished.countDown();
  }

  /** Stops a background run after the round in progress, if any; every completed upload is in the ledger. */
  public void stop() {
    ScheduledExecutorService s;
    synchronized (this) {
      s = scheduler;
    }
    if (s == null) return;
    s.shutdown();
    try {
      if (!s.awaitTermination(60, TimeUnit.SECONDS)) throw new IllegalStateException("producer did not stop");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    finished.countDown();
    if (failure.get() != null) throw new IllegalStateException("producer failed", failure.get());
  }

  public boolean finished() {
    if (failure.get() != null) throw new IllegalStateException("producer failed", failure.get());
    return finished.getCount() == 0;
  }

  public int rounds() {
    return rounds.get();
  }

  @Override
  public void close() {
    if (scheduler != null) scheduler.shutdownNow();
  }
}
