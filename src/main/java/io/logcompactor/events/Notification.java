package io.logcompactor.events;

import java.util.List;

/** What one SQS message body holds, once its envelope is taken off. */
public sealed interface Notification {

  /** S3 events (from S3 directly, through SNS, or from EventBridge). */
  record Events(List<S3Event> events) implements Notification {
    public Events {
      events = List.copyOf(events);
    }
  }

  /** {@code s3:TestEvent}: proves the notification configuration works; nothing to do. */
  record TestEvent(String bucket) implements Notification {}

  /** Not a notification we understand. {@code reason} is for the log line. */
  record Malformed(String reason) implements Notification {}
}
