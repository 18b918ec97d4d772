package io.logcompactor.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.eventnotifications.s3.model.S3;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotification;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotificationRecord;
import software.amazon.awssdk.eventnotifications.s3.model.S3Object;

/**
 * Takes the envelope off an SQS message body. Understood shapes:
 * <ul>
 *   <li>an S3 event notification sent straight to SQS ({@code {"Records": [...]}}), read with the SDK's
 *       s3-event-notifications model; keys are URL-encoded ({@code +} is a space) and are decoded here;</li>
 *   <li>the same wrapped by SNS ({@code {"Type": "Notification", "Message": "<the notification as a string>"}});</li>
 *   <li>an EventBridge event from {@code aws.s3} ({@code detail.bucket.name}, {@code detail.object.key}); EventBridge
 *       keys are not URL-encoded (a key {@code a:b} arrives as {@code a:b}, not {@code a%3Ab}) and are used as they
 *       are;</li>
 *   <li>{@code s3:TestEvent}.</li>
 * </ul>
 * Anything else is {@link Notification.Malformed}. Pure: no I/O, no state.
 */
public final class NotificationParser {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CREATED_PREFIX = "ObjectCreated:";
  private static final String EVENTBRIDGE_CREATED = "Object Created";

  private NotificationParser() {}

  public static Notification parse(String body) {
    return parse(body, false);
  }

  private static Notification parse(String body, boolean insideSns) {
    if (body == null || body.isBlank()) return new Notification.Malformed("empty body");
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return new Notification.Malformed("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) return new Notification.Malformed("not a JSON object");
    if (root.has("Records")) return records(body, root);
    if ("s3:TestEvent".equals(root.path("Event").asText(null))) {
      return new Notification.TestEvent(root.path("Bucket").asText(null));
    }
    if ("Notification".equals(root.path("Type").asText(null)) && root.path("Message").isTextual()) {
      if (insideSns) return new Notification.Malformed("an SNS notification inside an SNS notification");
      return parse(root.get("Message").asText(), true);
    }
    if (root.has("detail-type") && root.has("detail")) return eventBridge(root);
    return new Notification.Malformed(
        "unknown shape: not S3 Records, an SNS notification, an EventBridge event or an s3:TestEvent");
  }

  private static Notification records(String body, JsonNode root) {
    if (!root.get("Records").isArray()) return new Notification.Malformed("'Records' is not an array");
    S3EventNotification n;
    try {
      n = S3EventNotification.fromJson(body);
    } catch (RuntimeException e) {
      return new Notification.Malformed("not an S3 event notification: " + e.getMessage());
    }
    List<S3Event> events = new ArrayList<>();
    List<S3EventNotificationRecord> records = n.getRecords() == null ? List.of() : n.getRecords();
    for (int i = 0; i < records.size(); i++) {
      S3EventNotificationRecord r = records.get(i);
      S3 s3 = r == null ? null : r.getS3();
      S3Object object = s3 == null ? null : s3.getObject();
      if (r == null || r.getEventName() == null || s3 == null || s3.getBucket() == null
          || s3.getBucket().getName() == null || object == null || object.getKey() == null) {
        return new Notification.Malformed("record " + i + " lacks eventName, s3.bucket.name or s3.object.key");
      }
      String key;
      try {
        key = object.getUrlDecodedKey();
      } catch (IllegalArgumentException e) {
        return new Notification.Malformed("record " + i + " key '" + object.getKey() + "' is not URL-encoded: "
            + e.getMessage());
      }
      String name = r.getEventName().startsWith("s3:") ? r.getEventName().substring(3) : r.getEventName();
      Long size = object.getSizeAsLong();
      events.add(new S3Event(s3.getBucket().getName(), key, name.startsWith(CREATED_PREFIX), r.getEventName(),
          size == null ? -1 : size, r.getEventTime()));
    }
    return new Notification.Events(events);
  }

  private static Notification eventBridge(JsonNode root) {
    if (!"aws.s3".equals(root.path("source").asText(null))) {
      return new Notification.Malformed("EventBridge event from '" + root.path("source").asText("") + "', not aws.s3");
    }
    String type = root.path("detail-type").asText(null);
    JsonNode detail = root.get("detail");
    String bucket = detail.path("bucket").path("name").asText(null);
    String key = detail.path("object").path("key").asText(null);
    if (type == null || bucket == null || key == null) {
      return new Notification.Malformed("EventBridge event lacks detail-type, detail.bucket.name or detail.object.key");
    }
    JsonNode size = detail.path("object").path("size");
    Instant time = null;
    if (root.path("time").isTextual()) {
      try {
        time = Instant.parse(root.get("time").asText());
      } catch (DateTimeParseException e) {
        return new Notification.Malformed("EventBridge event time '" + root.get("time").asText() + "' is not RFC 3339");
      }
    }
    return new Notification.Events(List.of(new S3Event(bucket, key, EVENTBRIDGE_CREATED.equals(type), type,
        size.canConvertToLong() ? size.asLong() : -1, time)));
  }
}
