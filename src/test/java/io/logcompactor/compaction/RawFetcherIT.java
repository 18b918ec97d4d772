package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.aws.AwsClients;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.faults.Fault;
import io.logcompactor.faults.FaultProxy;
import io.logcompactor.faults.FaultRule;
import io.logcompactor.layout.RawKeyParser;
import io.logcompactor.local.FluentBitLogs;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** What a fetch of one raw object gives, against a real S3 server: the in-memory path and its memory bound. */
@ExtendWith(LocalServersExtension.class)
class RawFetcherIT {
  private static final int THRESHOLD = 4096;
  private final FluentBitLogs.Container container = FluentBitLogs.Container.of("fetch-1", "jobs", "main", "fetch");

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  /** Lines of random letters: gzip cannot shrink them much, so a few KiB of text stays above the threshold. */
  private static String lines(int count) {
    SplittableRandom rnd = new SplittableRandom(count);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      for (int k = 0; k < 60; k++) sb.append((char) ('a' + rnd.nextInt(26)));
      sb.append('\n');
    }
    return sb.toString();
  }

  private MergePlan.Raw raw(String key, long listedSize) {
    RawKeyParser.Parsed parsed = (RawKeyParser.Parsed) RawKeyParser.parse(key);
    return new MergePlan.Raw(parsed.rawKey(), new ListedObject(key, listedSize, Instant.now(), "\"listed\""));
  }

  @Test
  @DisplayName("a small gzip object is fetched whole, validated, byte for byte; a missing one is gone")
  void smallObjectHeldWhole(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("fetch-small");
    S3Client s3 = env.s3();
    String key = container.rawKey("202611252000", 0);
    byte[] body = gzip(lines(10));
    s3.putObject(b -> b.bucket(env.bucket()).key(key), RequestBody.fromBytes(body));
    RawFetcher fetcher = new RawFetcher(s3, env.bucket(), THRESHOLD, new SimpleMeterRegistry().timer("validation"));

    RawFetcher.Fetched fetched = fetcher.fetch(raw(key, body.length));
    assertThat(fetched).isInstanceOf(RawFetcher.Ready.class);
    RawFetcher.Ready ready = (RawFetcher.Ready) fetched;
    assertThat(java.util.Arrays.copyOf(ready.bytes(), ready.length())).isEqualTo(body);

    assertThat(fetcher.fetch(raw(container.rawKey("202611252001", 0), body.length)))
        .isInstanceOf(RawFetcher.Gone.class);
  }

  @Test
  @DisplayName("an object listed small but replaced by one above the threshold is validated streaming, never held")
  void replacedByALargerObject(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("fetch-grown");
    S3Client s3 = env.s3();
    String key = container.rawKey("202611252000", 0);
    byte[] body = gzip(lines(500));
    assertThat(body.length).isGreaterThan(THRESHOLD);
    s3.putObject(b -> b.bucket(env.bucket()).key(key), RequestBody.fromBytes(body));
    RawFetcher fetcher = new RawFetcher(s3, env.bucket(), THRESHOLD, new SimpleMeterRegistry().timer("validation"));

    RawFetcher.Fetched fetched = fetcher.fetch(raw(key, 100));
    assertThat(fetched).isInstanceOf(RawFetcher.Deferred.class);
    ByteArrayOutputStream copied = new ByteArrayOutputStream();
    assertThat(fetcher.copy(key, (RawFetcher.Deferred) fetched, copied)).isTrue();
    assertThat(copied.toByteArray()).isEqualTo(body);
  }

  @Test
  @DisplayName("a GET whose body breaks off is fetched again, whole and held or streaming; one that keeps breaking "
      + "fails the fetch after three tries")
  void bodyThatBreaksOffIsFetchedAgain(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("fetch-truncated");
    String small = container.rawKey("202611252000", 0);
    String large = container.rawKey("202611252000", 1);
    byte[] smallBody = gzip(lines(10));
    byte[] largeBody = gzip(lines(500));
    env.s3().putObject(b -> b.bucket(env.bucket()).key(small), RequestBody.fromBytes(smallBody));
    env.s3().putObject(b -> b.bucket(env.bucket()).key(large), RequestBody.fromBytes(largeBody));
    try (FaultProxy proxy = FaultProxy.start("s3-truncated", servers.s3Endpoint());
         S3Client s3 = AwsClients.s3(env.config(Map.of(CompactorConfig.S3_ENDPOINT, proxy.endpoint().toString())))) {
      RawFetcher fetcher = new RawFetcher(s3, env.bucket(), THRESHOLD, new SimpleMeterRegistry().timer("validation"));

      proxy.rules(FaultRule.of(Fault.TRUNCATED).method("GET").limit(2));
      RawFetcher.Fetched whole = fetcher.fetch(raw(small, smallBody.length));
      assertThat(proxy.injected(Fault.TRUNCATED)).isEqualTo(2);
      RawFetcher.Ready ready = (RawFetcher.Ready) whole;
      assertThat(java.util.Arrays.copyOf(ready.bytes(), ready.length())).isEqualTo(smallBody);

      proxy.rules(FaultRule.of(Fault.TRUNCATED).method("GET").limit(1));
      assertThat(fetcher.fetch(raw(large, largeBody.length))).isInstanceOf(RawFetcher.Deferred.class);
      assertThat(proxy.injected(Fault.TRUNCATED)).isEqualTo(3);

      proxy.rules(FaultRule.of(Fault.TRUNCATED).method("GET"));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> fetcher.fetch(raw(small, smallBody.length)))
          .isInstanceOf(IOException.class);
      assertThat(proxy.injected(Fault.TRUNCATED)).isEqualTo(3 + RawFetcher.ATTEMPTS);
    }
  }
}
