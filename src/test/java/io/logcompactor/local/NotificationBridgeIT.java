package io.logcompactor.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotification;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotificationRecord;
import software.amazon.awssdk.services.sqs.model.Message;

@ExtendWith(LocalServersExtension.class)
class NotificationBridgeIT {

  @Test
  @DisplayName("a PUT of key 'a b+c.gz' yields one notification whose URL-decoded key is 'a b+c.gz'")
  void putSendsOneNotificationWithEncodedKey(LocalServers servers) {
    LocalServers.Environment env = servers.newEnvironment("bridge");
    env.s3().putObject(b -> b.bucket(env.bucket()).key("a b+c.gz"), RequestBody.fromString("hello"));

    List<Message> messages = env.sqs().receiveMessage(b -> b.queueUrl(env.queueUrl()).maxNumberOfMessages(10)
        .waitTimeSeconds(5)).messages();

    assertThat(messages).hasSize(1);
    S3EventNotification n = S3EventNotification.fromJson(messages.get(0).body());
    assertThat(n.getRecords()).hasSize(1);
    S3EventNotificationRecord r = n.getRecords().get(0);
    assertThat(r.getEventName()).isEqualTo("ObjectCreated:Put");
    assertThat(r.getS3().getBucket().getName()).isEqualTo(env.bucket());
    assertThat(r.getS3().getObject().getKey()).isEqualTo("a+b%2Bc.gz");
    assertThat(r.getS3().getObject().getUrlDecodedKey()).isEqualTo("a b+c.gz");
    assertThat(r.getS3().getObject().getSizeAsLong()).isEqualTo(5L);
  }

  @Test
  @DisplayName("a conditional PUT that loses (If-None-Match on an existing key) sends no notification")
  void failedConditionalPutSendsNothing(LocalServers servers) {
    LocalServers.Environment env = servers.newEnvironment("bridge");
    env.s3().putObject(b -> b.bucket(env.bucket()).key("k"), RequestBody.fromString("1"));
    env.sqs().purgeQueue(b -> b.queueUrl(env.queueUrl()));
    org.junit.jupiter.api.Assertions.assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class,
        () -> env.s3().putObject(b -> b.bucket(env.bucket()).key("k").ifNoneMatch("*"), RequestBody.fromString("2")));
    List<Message> messages = env.sqs().receiveMessage(b -> b.queueUrl(env.queueUrl()).maxNumberOfMessages(10)
        .waitTimeSeconds(1)).messages();
    assertThat(messages).isEmpty();
  }
}
