package io.logcompactor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.logcompactor.layout.Keys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotification;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotificationRecord;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Bucket notifications as the service sees them: from the bridge with the in-process servers, from S3 itself under
 * LocalStack ({@code -Plocalstack}). What only the bridge does is marked with {@code assumeTrue(servers.hasBridge())}.
 */
@ExtendWith(LocalServersExtension.class)
class NotificationBridgeIT {

  private static List<Message> receive(LocalServers.Environment env, int waitSeconds) {
    return env.sqs().receiveMessage(b -> b.queueUrl(env.queueUrl()).maxNumberOfMessages(10)
        .waitTimeSeconds(waitSeconds)).messages();
  }

  /**
   * One putObject call = one HTTP PUT: without SDK retries, a PUT whose response was lost under load fails the test
   * instead of silently sending a second PUT (and rightly a second notification).
   */
  private static void putOnce(LocalServers servers, String bucket, String key, String body) {
    try (S3Client s3 = S3Client.builder().endpointOverride(servers.s3Endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(LocalServers.credentials()).forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body));
    }
  }

  private static S3EventNotificationRecord onlyRecord(Message m) {
    S3EventNotification n = S3EventNotification.fromJson(m.body());
    assertThat(n.getRecords()).hasSize(1);
    return n.getRecords().get(0);
  }

  @Test
  @DisplayName("a PUT of key 'a b+c.gz' yields one notification whose URL-decoded key is 'a b+c.gz'")
  void putSendsOneNotificationWithEncodedKey(LocalServers servers) {
    LocalServers.Environment env = servers.newEnvironment("bridge");
    putOnce(servers, env.bucket(), "a b+c.gz", "hello");

    List<Message> messages = receive(env, 5);

    assertThat(messages).hasSize(1);
    S3EventNotificationRecord r = onlyRecord(messages.get(0));
    assertThat(r.getEventName()).isEqualTo("ObjectCreated:Put");
    assertThat(r.getS3().getBucket().getName()).isEqualTo(env.bucket());
    assertThat(r.getS3().getObject().getUrlDecodedKey()).isEqualTo("a b+c.gz");
    assertThat(r.getS3().getObject().getSizeAsLong()).isEqualTo(5L);
  }

  @Test
  @DisplayName("the bridge encodes notification keys exactly as AWS does: '+' for a space, %2B for a plus")
  void bridgeEncodesKeysLikeAws(LocalServers servers) {
    assumeTrue(servers.hasBridge(), "LocalStack encodes a space as %20, which AWS does not");
    LocalServers.Environment env = servers.newEnvironment("bridge");
    putOnce(servers, env.bucket(), "a b+c.gz", "hello");

    List<Message> messages = receive(env, 5);

    assertThat(messages).hasSize(1);
    assertThat(onlyRecord(messages.get(0)).getS3().getObject().getKey()).isEqualTo("a+b%2Bc.gz");
  }

  @Test
  @DisplayName("with the deployment's prefix filter, raw keys are notified and the compactor's own data/ keys are not")
  void prefixFilterNotifiesRawKeysOnly(LocalServers servers) {
    LocalServers.Environment env = servers.newEnvironment("filter", 30, 5, KeyFilter.prefix(Keys.RAW_PREFIX));
    FluentBitLogs.Container c = FluentBitLogs.Container.of("job-1-abcde", "ns", "main", "filter");
    String raw = c.rawKey("202511252026", 1);
    env.s3().putObject(b -> b.bucket(env.bucket()).key("data/job-1-abcde/x/202511252026_1.gz"), RequestBody.fromString("d"));
    env.s3().putObject(b -> b.bucket(env.bucket()).key(raw), RequestBody.fromString("r"));

    // LocalStack notifies asynchronously: collect until the raw key's notification is in, then check nothing else is.
    List<String> keys = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      receive(env, 1).forEach(m -> keys.add(onlyRecord(m).getS3().getObject().getUrlDecodedKey()));
      return keys.contains(raw);
    });
    receive(env, 1).forEach(m -> keys.add(onlyRecord(m).getS3().getObject().getUrlDecodedKey()));
    assertThat(keys).containsExactly(raw);
  }

  @Test
  @DisplayName("a conditional PUT that loses (If-None-Match on an existing key) sends no notification")
  void failedConditionalPutSendsNothing(LocalServers servers) {
    LocalServers.Environment env = servers.newEnvironment("bridge");
    env.s3().putObject(b -> b.bucket(env.bucket()).key("k"), RequestBody.fromString("1"));
    await().atMost(Duration.ofSeconds(20)).until(() -> !receive(env, 1).isEmpty());
    org.junit.jupiter.api.Assertions.assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class,
        () -> env.s3().putObject(b -> b.bucket(env.bucket()).key("k").ifNoneMatch("*"), RequestBody.fromString("2")));
    assertThat(receive(env, 1)).isEmpty();
  }
}
