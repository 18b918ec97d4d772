package io.logcompactor.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.local.NotificationBridge;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NotificationParserTest {
  private static final String JOB1 =
      "kube.var.log.containers.job-1_platform-jobs_job-1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

  private static List<S3Event> events(String body) {
    Notification n = NotificationParser.parse(body);
    assertThat(n).isInstanceOf(Notification.Events.class);
    return ((Notification.Events) n).events();
  }

  private static S3Event single(String body) {
    List<S3Event> events = events(body);
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  private static String malformedReason(String body) {
    Notification n = NotificationParser.parse(body);
    assertThat(n).isInstanceOf(Notification.Malformed.class);
    return ((Notification.Malformed) n).reason();
  }

  /** An S3 notification the way S3 writes it: the key URL-encoded like a form ({@code +} for a space). */
  private static String s3Notification(String bucket, String rawKey, String eventName) {
    return "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"us-east-1\","
        + "\"eventTime\":\"2026-11-25T20:14:05.123Z\",\"eventName\":\"" + eventName + "\",\"s3\":{\"s3SchemaVersion\":"
        + "\"1.0\",\"bucket\":{\"name\":\"" + bucket + "\"},\"object\":{\"key\":\"" + NotificationBridge.encodeKey(rawKey)
        + "\",\"size\":3}}}]}";
  }

  @Test
  @DisplayName("an S3 notification sent straight to SQS yields its bucket, decoded key, size, time and creation flag")
  void directS3() {
    S3Event e = single(Fixtures.notification("s3-direct.json"));
    assertThat(e.bucket()).isEqualTo("job-logs");
    assertThat(e.key()).isEqualTo("kube.var.log.containers.job-3f2a.v1_platform-jobs_job-3f2a-"
        + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/202611252013_0.gz");
    assertThat(e.created()).isTrue();
    assertThat(e.eventName()).isEqualTo("ObjectCreated:Put");
    assertThat(e.size()).isEqualTo(1834);
    assertThat(e.eventTime()).isEqualTo(Instant.parse("2026-11-25T20:14:05.123Z"));
  }

  @Test
  @DisplayName("a URL-encoded key is decoded: '+' is a space, %2B a plus, %C3%A9 an é")
  void encodedKey() {
    assertThat(single(Fixtures.notification("s3-direct-encoded-key.json")).key()).isEqualTo("some folder/a+b é.gz");
  }

  @Test
  @DisplayName("an SNS-wrapped S3 notification yields the same event as the notification inside it")
  void snsWrapped() {
    S3Event e = single(Fixtures.notification("sns-wrapped.json"));
    assertThat(e.bucket()).isEqualTo("job-logs");
    assertThat(e.key()).isEqualTo(JOB1 + "/202611252014__3.gz");
    assertThat(e.created()).isTrue();
    assertThat(e.size()).isEqualTo(977);
  }

  @Test
  @DisplayName("an EventBridge Object Created event yields detail.bucket.name and detail.object.key")
  void eventBridge() {
    S3Event e = single(Fixtures.notification("eventbridge-object-created.json"));
    assertThat(e.bucket()).isEqualTo("job-logs");
    assertThat(e.key()).isEqualTo(JOB1 + "/202611252015_0.gz");
    assertThat(e.created()).isTrue();
    assertThat(e.size()).isEqualTo(5);
    assertThat(e.eventTime()).isEqualTo(Instant.parse("2026-11-25T20:16:00Z"));
  }

  @Test
  @DisplayName("an EventBridge key is taken as it is, not URL-decoded: '+', '%41' and ':' stay")
  void eventBridgeKeyVerbatim() {
    assertThat(single(Fixtures.notification("eventbridge-plus-in-key.json")).key()).isEqualTo("raw/a+b c%41:é.gz");
  }

  @Test
  @DisplayName("deletions, from S3 or EventBridge, are events that are not creations")
  void deletions() {
    assertThat(single(Fixtures.notification("s3-object-removed.json")).created()).isFalse();
    assertThat(single(Fixtures.notification("eventbridge-object-deleted.json")).created()).isFalse();
  }

  @Test
  @DisplayName("every record of a multi-record notification is returned, in order")
  void twoRecords() {
    List<S3Event> events = events(Fixtures.notification("s3-two-records.json"));
    assertThat(events).extracting(S3Event::key).containsExactly(JOB1 + "/202611252021_0.gz",
        "data/job-1/aaaa/202611252021_0.gz");
    assertThat(events).allMatch(S3Event::created);
  }

  @Test
  @DisplayName("an s3:TestEvent, direct or SNS-wrapped, is recognised as a test event")
  void testEvent() {
    assertThat(NotificationParser.parse(Fixtures.notification("s3-test-event.json")))
        .isEqualTo(new Notification.TestEvent("job-logs"));
    assertThat(NotificationParser.parse(Fixtures.notification("sns-wrapped-test-event.json")))
        .isEqualTo(new Notification.TestEvent("job-logs"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "not json at all",
      "{\"Records\":[",
      "[1,2,3]",
      "\"a string\"",
      "{}",
      "{\"hello\":\"world\"}",
      "{\"Records\":\"nope\"}",
      "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\"}]}",
      "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{}}}]}",
      "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"a%zzb\"}}}]}",
      "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"eventTime\":\"yesterday\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}",
      "{\"Type\":\"Notification\",\"Message\":\"not json\"}",
      "{\"Type\":\"Notification\",\"Message\":\"{\\\"Type\\\":\\\"Notification\\\",\\\"Message\\\":\\\"{}\\\"}\"}",
      "{\"detail-type\":\"Object Created\",\"source\":\"aws.ec2\",\"detail\":{}}",
      "{\"detail-type\":\"Object Created\",\"source\":\"aws.s3\",\"detail\":{\"bucket\":{\"name\":\"b\"}}}",
  })
  @DisplayName("a body that is not JSON, or not a notification shape we know, is malformed, with a reason")
  void malformed(String body) {
    assertThat(malformedReason(body)).isNotBlank();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "kube.var.log.containers.job-1_ns_c-abc/202611252013_0.gz",
      "a key with spaces.gz",
      "plus+sign+key.gz",
      "percent%20literal%2Bkey%.gz",
      "unicode/é漢字🙂/ключ.gz",
      "mixed + %2B ~!*'();:@&=$,?#[]/tail.gz",
  })
  @DisplayName("keys with spaces, '+', '%' and unicode round-trip through S3's notification encoding")
  void keysRoundTrip(String key) {
    S3Event e = single(s3Notification("job-logs", key, "ObjectCreated:Put"));
    assertThat(e.key()).isEqualTo(key);
  }

  @Test
  @DisplayName("an event name with the s3: prefix some S3-compatible servers write is still a creation")
  void s3PrefixedEventName() {
    assertThat(single(s3Notification("b", "k", "s3:ObjectCreated:Put")).created()).isTrue();
    assertThat(single(s3Notification("b", "k", "ObjectRestore:Completed")).created()).isFalse();
  }
}
