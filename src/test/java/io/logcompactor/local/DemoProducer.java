package io.logcompactor.local;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Uploads {@link DemoScript}'s objects to the bucket every interval, as Fluent Bit would, on one daemon thread of its
 * own. A failed upload is logged and skipped: this is demo traffic, and the next tick uploads new objects.
 */
public final class DemoProducer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoProducer.class);

  private final S3Client s3;
  private final String bucket;
  private final DemoScript script;
  private final Duration interval;
  private final ScheduledExecutorService executor;
  private final ConcurrentLinkedQueue<String> uploadedKeys = new ConcurrentLinkedQueue<>();
  private final AtomicLong failures = new AtomicLong();

  public DemoProducer(S3Client s3, String bucket, DemoScript script, Duration interval) {
    this.s3 = s3;
    this.bucket = bucket;
    this.script = script;
    this.interval = interval;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-producer");
      t.setDaemon(true);
      return t;
    });
  }

  public DemoProducer start() {
    executor.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void tick() {
    for (DemoScript.Upload u : script.tick(Instant.now(), interval)) {
      if (executor.isShutdown()) return;
      try {
        s3.putObject(b -> b.bucket(bucket).key(u.key()).contentType("application/gzip"), RequestBody.fromBytes(u.body()));
        uploadedKeys.add(u.key());
        LOG.debug("demo upload s3://{}/{} ({} lines)", bucket, u.key(), u.lines());
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        LOG.warn("demo upload of s3://{}/{} failed: {}", bucket, u.key(), e.toString());
      }
    }
  }

  /** Every key uploaded so far, in upload order. */
  public List<String> uploadedKeys() {
    return List.copyOf(uploadedKeys);
  }

  public long failures() {
    return failures.get();
  }

  public DemoScript script() {
    return script;
  }

  /** Stops uploading and waits for an upload in flight; after this no upload starts. */
  @Override
  public void close() throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
      executor.shutdownNow();
      LOG.warn("demo producer did not stop within 30s");
    }
  }
}
