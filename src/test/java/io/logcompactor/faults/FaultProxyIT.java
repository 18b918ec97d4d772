package io.logcompactor.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.logcompactor.aws.AwsClients;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** The fault proxy itself, between real SDK clients and the real local S3 and SQS servers. */
@ExtendWith(LocalServersExtension.class)
class FaultProxyIT {

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** The service's own S3 client (standard retries), pointed at the proxy. */
  private static S3Client serviceS3(LocalServers.Environment env, FaultProxy proxy) {
    return AwsClients.s3(env.config(Map.of(CompactorConfig.S3_ENDPOINT, proxy.endpoint().toString())));
  }

  private static SqsClient serviceSqs(LocalServers.Environment env, FaultProxy proxy) {
    return AwsClients.sqs(env.config(Map.of(CompactorConfig.SQS_ENDPOINT, proxy.endpoint().toString())));
  }

  private static S3Client noRetryS3(FaultProxy proxy) {
    return S3Client.builder().endpointOverride(proxy.endpoint()).region(Region.of(LocalServers.REGION))
        .credentialsProvider(LocalServers.credentials()).forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  @Test
  @DisplayName("without rules the proxy relays PUT, GET, HEAD, LIST and multi-object DELETE unchanged over kept-alive connections")
  void relaysFaithfully(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proxy");
    try (FaultProxy proxy = FaultProxy.start("s3", servers.s3Endpoint()); S3Client s3 = serviceS3(env, proxy)) {
      byte[] big = randomBytes(3 * 1024 * 1024 + 17, 1);
      s3.putObject(b -> b.bucket(env.bucket()).key("big.bin"), RequestBody.fromBytes(big));
      for (int i = 0; i < 20; i++) {
        int n = i;
        s3.putObject(b -> b.bucket(env.bucket()).key("small/" + n), RequestBody.fromString("value " + n));
      }
      assertThat(s3.getObjectAsBytes(b -> b.bucket(env.bucket()).key("big.bin")).asByteArray()).isEqualTo(big);
      assertThat(s3.headObject(b -> b.bucket(env.bucket()).key("big.bin")).contentLength()).isEqualTo(big.length);
      assertThat(s3.listObjectsV2(b -> b.bucket(env.bucket()).prefix("small/")).contents()).hasSize(20);
      s3.deleteObjects(b -> b.bucket(env.bucket()).delete(d -> d.objects(
          List.of(software.amazon.awssdk.services.s3.model.ObjectIdentifier.builder().key("small/1").build()))));
      assertThat(s3.getObjectAsBytes(b -> b.bucket(env.bucket()).key("small/2")).asUtf8String()).isEqualTo("value 2");
      assertThat(s3.listObjectsV2(b -> b.bucket(env.bucket()).prefix("small/")).contents()).hasSize(19);

      assertThat(proxy.injectedTotal()).isZero();
      assertThat(proxy.requests()).isGreaterThanOrEqualTo(26);
    }
  }

  @Test
  @DisplayName("an injected 503 carries S3's SlowDown XML error, and the service's S3 client retries through it")
  void slowDownIsS3ErrorAndRetried(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proxy");
    env.s3().putObject(b -> b.bucket(env.bucket()).key("k"), RequestBody.fromString("payload"));
    try (FaultProxy proxy = FaultProxy.start("s3", servers.s3Endpoint());
         S3Client plain = noRetryS3(proxy); S3Client service = serviceS3(env, proxy)) {
      proxy.rules(FaultRule.of(Fault.SLOW_DOWN).method("GET").target("/k$").limit(1));
      assertThatThrownBy(() -> plain.getObjectAsBytes(b -> b.bucket(env.bucket()).key("k")))
          .isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).isEqualTo(503);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SlowDown");
          });

      proxy.rules(FaultRule.of(Fault.SLOW_DOWN).method("GET").limit(2));
      assertThat(service.getObjectAsBytes(b -> b.bucket(env.bucket()).key("k")).asUtf8String()).isEqualTo("payload");
      assertThat(proxy.injected(Fault.SLOW_DOWN)).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("an injected 500 carries S3's InternalError, and a PUT retried through it writes the object once")
  void internalErrorIsRetried(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proxy");
    try (FaultProxy proxy = FaultProxy.start("s3", servers.s3Endpoint());
         S3Client plain = noRetryS3(proxy); S3Client service = serviceS3(env, proxy)) {
      proxy.rules(FaultRule.of(Fault.INTERNAL_ERROR).method("PUT").limit(1));
      assertThatThrownBy(() -> plain.putObject(b -> b.bucket(env.bucket()).key("k"), RequestBody.fromString("x")))
          .isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).isEqualTo(500);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalError");
          });
      assertThat(env.s3().listObjectsV2(b -> b.bucket(env.bucket())).contents()).isEmpty();

      proxy.rules(FaultRule.of(Fault.INTERNAL_ERROR).method("PUT").limit(2));
      byte[] body = randomBytes(200_000, 2);
      service.putObject(b -> b.bucket(env.bucket()).key("k").ifNoneMatch("*"), RequestBody.fromBytes(body));
      assertThat(env.s3().getObjectAsBytes(b -> b.bucket(env.bucket()).key("k")).asByteArray()).isEqualTo(body);
      assertThat(proxy.injected(Fault.INTERNAL_ERROR)).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("a truncated GET body (full Content-Length promised) surfaces as an IOException to a streaming reader of the service's S3 client, who gets every byte on retry")
  void truncatedGetSurfaces(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proxy");
    byte[] body = randomBytes(1024 * 1024, 3);
    env.s3().putObject(b -> b.bucket(env.bucket()).key("k"), RequestBody.fromBytes(body));
    try (FaultProxy proxy = FaultProxy.start("s3", servers.s3Endpoint()); S3Client service = serviceS3(env, proxy)) {
      proxy.rules(FaultRule.of(Fault.TRUNCATED).method("GET").limit(1));
      assertThatThrownBy(() -> {
        try (ResponseInputStream<GetObjectResponse> in = service.getObject(b -> b.bucket(env.bucket()).key("k"))) {
          in.readAllBytes();
        }
      }).isInstanceOf(IOException.class).hasMessageContaining("Content-Length");
      assertThat(proxy.injected(Fault.TRUNCATED)).isEqualTo(1);

      try (ResponseInputStream<GetObjectResponse> in = service.getObject(b -> b.bucket(env.bucket()).key("k"))) {
        assertThat(in.readAllBytes()).isEqualTo(body);
      }
    }
  }

  @Test
  @DisplayName("the SDK retries a whole-object GET whose body was truncated or reset, and returns every byte")
  void wholeObjectGetRetriedThroughCuts(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proxy");
    byte[] body = randomBytes(512 * 1024, 4);
    env.s3().putObject(b -> b.bucket(env.bucket()).key("k"), RequestBody.fromBytes(body));
    try (FaultProxy proxy = FaultProxy.start("s3", servers.s3Endpoint()); S3Client service = serviceS3(env, proxy)) {
      proxy.rules(FaultRule.of(Fault.TRUNCATED).method("GET").limit(1), FaultRule.of(Fault.RESET_MID_BODY).method("GET").limit(1));
      assertThat(service.getObjectAsBytes(b -> b.bucket(env.bucket()).key("k")).asByteArray()).isEqualTo(body);
      assertThat(proxy.injected(Fault.TRUNCATED)).isEqualTo(1);
      assertThat(proxy.injected(Fault.RESET_MID_BODY)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a reset mid-body makes a streaming GET fail with an exception rather than a short read")
  void resetMidBodySurfaces(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proxy");
    byte[] body = randomBytes(1024 * 1024, 5);
    env.s3().putObject(b -> b.bucket(env.bucket()).key("k"), RequestBody.fromBytes(body));
    try (FaultProxy proxy = FaultProxy.start("s3", servers.s3Endpoint()); S3Client service = serviceS3(env, proxy)) {
      proxy.rules(FaultRule.of(Fault.RESET_MID_BODY).method("GET").limit(1));
      assertThatThrownBy(() -> {
        try (ResponseInputStream<GetObjectResponse> in = service.getObject(b -> b.bucket(env.bucket()).key("k"))) {
          in.readAllBytes();
        }
      }).isInstanceOfAny(IOException.class, software.amazon.awssdk.core.exception.SdkClientException.class);
    }
  }

  @Test
  @DisplayName("a lost PUT response (reset after S3 wrote the object) makes the SDK's retry of an If-None-Match PUT fail with 412 although the first attempt wrote it")
  void lostPutResponseTurnsRetryInto412(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proxy");
    try (FaultProxy proxy = FaultProxy.start("s3", servers.s3Endpoint()); S3Client service = serviceS3(env, proxy)) {
      proxy.rules(FaultRule.of(Fault.RESET_MID_BODY).method("PUT").limit(1));
      assertThatThrownBy(() -> service.putObject(b -> b.bucket(env.bucket()).key("k").ifNoneMatch("*"),
          RequestBody.fromString("first")))
          .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
      assertThat(env.s3().getObjectAsBytes(b -> b.bucket(env.bucket()).key("k")).asUtf8String()).isEqualTo("first");
      assertThat(proxy.injected(Fault.RESET_MID_BODY)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a latency rule delays matching responses by its latency and leaves them intact")
  void latencySpike(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proxy");
    env.s3().putObject(b -> b.bucket(env.bucket()).key("k"), RequestBody.fromString("slow"));
    try (FaultProxy proxy = FaultProxy.start("s3", servers.s3Endpoint()); S3Client service = serviceS3(env, proxy)) {
      service.getObjectAsBytes(b -> b.bucket(env.bucket()).key("k")); // connection and signing warm-up
      proxy.rules(FaultRule.of(Fault.LATENCY).method("GET").latency(Duration.ofMillis(700)));
      long start = System.nanoTime();
      assertThat(service.getObjectAsBytes(b -> b.bucket(env.bucket()).key("k")).asUtf8String()).isEqualTo("slow");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
      assertThat(proxy.injected(Fault.LATENCY)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("an every-Nth rule fires on exactly the Nth, 2Nth, ... matching requests and never on others")
  void everyNthCountsOnlyMatches(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proxy");
    env.s3().putObject(b -> b.bucket(env.bucket()).key("a/k"), RequestBody.fromString("a"));
    env.s3().putObject(b -> b.bucket(env.bucket()).key("b/k"), RequestBody.fromString("b"));
    try (FaultProxy proxy = FaultProxy.start("s3", servers.s3Endpoint()); S3Client plain = noRetryS3(proxy)) {
      proxy.rules(FaultRule.of(Fault.INTERNAL_ERROR).method("GET").target("/a/").everyNth(3));
      int failures = 0;
      for (int i = 1; i <= 9; i++) {
        assertThat(plain.getObjectAsBytes(b -> b.bucket(env.bucket()).key("b/k")).asUtf8String()).isEqualTo("b");
        try {
          plain.getObjectAsBytes(b -> b.bucket(env.bucket()).key("a/k"));
          assertThat(i % 3).isNotZero();
        } catch (S3Exception e) {
          assertThat(i % 3).isZero();
          failures++;
        }
      }
      assertThat(failures).isEqualTo(3);
      assertThat(proxy.injectedByKind()).containsEntry(Fault.INTERNAL_ERROR, 3L).containsEntry(Fault.SLOW_DOWN, 0L);
    }
  }

  @Test
  @DisplayName("SQS through the proxy: a throttled ReceiveMessage fails with 503 in the JSON protocol and the service's SQS client retries to the message")
  void sqsThrottlingRetried(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("proxy");
    env.sqs().sendMessage(b -> b.queueUrl(env.queueUrl()).messageBody("hello"));
    try (FaultProxy proxy = FaultProxy.start("sqs", servers.sqsEndpoint()); SqsClient sqs = serviceSqs(env, proxy);
         SqsClient plain = SqsClient.builder().endpointOverride(proxy.endpoint()).region(Region.of(LocalServers.REGION))
             .credentialsProvider(LocalServers.credentials()).httpClient(UrlConnectionHttpClient.create())
             .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      proxy.rules(FaultRule.of(Fault.SLOW_DOWN).action("ReceiveMessage").limit(1));
      assertThatThrownBy(() -> plain.receiveMessage(b -> b.queueUrl(env.queueUrl()).waitTimeSeconds(1)))
          .isInstanceOfSatisfying(SqsException.class, e -> assertThat(e.statusCode()).isEqualTo(503));

      proxy.rules(FaultRule.of(Fault.SLOW_DOWN).action("ReceiveMessage").limit(1),
          FaultRule.of(Fault.INTERNAL_ERROR).action("ReceiveMessage").limit(1));
      List<Message> got = sqs.receiveMessage(b -> b.queueUrl(env.queueUrl()).waitTimeSeconds(1)).messages();
      assertThat(got).extracting(Message::body).containsExactly("hello");
      assertThat(proxy.injectedTotal()).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("the proxy stops by itself after its maximum lifetime: new connections are refused")
  void stopsByItself(LocalServers servers) throws Exception {
    FaultProxy proxy = new FaultProxy("short", servers.s3Endpoint(), 4, Duration.ofSeconds(1), 1);
    URI endpoint = proxy.endpoint();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try (Socket s = new Socket(endpoint.getHost(), endpoint.getPort())) {
        return false;
      } catch (IOException refused) {
        return true;
      }
    });
    proxy.close();
  }
}
