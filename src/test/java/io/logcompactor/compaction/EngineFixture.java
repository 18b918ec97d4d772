package io.logcompactor.compaction;

import io.logcompactor.local.LocalServers;
import io.logcompactor.s3.S3Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Compaction engines on a bucket of the local S3, without a Service around them. */
final class EngineFixture implements AutoCloseable {
  final LocalServers.Environment env;
  final Vertx vertx = Vertx.vertx();
  final S3Store store;
  final MutableClock clock = new MutableClock();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final CompactionMetrics metrics = new CompactionMetrics(registry);

  EngineFixture(LocalServers servers, String name) {
    this.env = servers.newEnvironment(name);
    this.store = new S3Store(vertx, env.s3(), env.bucket(), 8);
  }

  PodCompactor compactor(long mergedMaxBytes, CompactionSettings settings, Failpoints failpoints) {
    return new PodCompactor(store, mergedMaxBytes, Duration.ofHours(1), settings, clock, failpoints, metrics);
  }

  PodCompactor compactor() {
    return compactor(64L << 20, CompactionSettings.DEFAULTS, Failpoints.NONE);
  }

  S3Client s3() {
    return env.s3();
  }

  String bucket() {
    return env.bucket();
  }

  List<String> keys(String prefix) {
    return s3().listObjectsV2Paginator(b -> b.bucket(bucket()).prefix(prefix)).contents().stream()
        .map(S3Object::key).toList();
  }

  /**
   * {@link #keys}, without the temporary file S3Proxy's filesystem store leaves behind for a PUT whose body was cut
   * off ({@code {key}-{uuid}}; S3 stores nothing at all). The compactor treats it as any unreferenced data object: an
   * orphan, deleted once older than the safety age.
   */
  List<String> keysBesidesCutOffPuts(String prefix) {
    return keys(prefix).stream().filter(k -> !CUT_OFF_PUT.matcher(k).find()).toList();
  }

  private static final java.util.regex.Pattern CUT_OFF_PUT =
      java.util.regex.Pattern.compile("\\.gz-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

  double count(String name, String... tags) {
    var search = registry.find(name);
    if (tags.length > 0) search = search.tags(tags);
    var c = search.counters();
    return c.stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  /** Just an S3Store on a bucket, for tests of the store itself. */
  record Store(Vertx vertx, S3Store store) implements AutoCloseable {
    static Store of(LocalServers.Environment env) {
      Vertx v = Vertx.vertx();
      return new Store(v, new S3Store(v, env.s3(), env.bucket(), 2));
    }

    @Override
    public void close() {
      store.close();
      vertx.close().await();
    }
  }

  @Override
  public void close() throws Exception {
    store.close();
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
