package io.logcompactor.events;

import java.util.Locale;

/** What one event in a notification turned out to be; the tag of {@code compactor.events.events}. */
public enum EventKind {
  /** A raw file of our bucket was created: sent to the tracker. */
  CREATED,
  /** An event for another bucket: acknowledged, not acted on. */
  IGNORED_BUCKET,
  /** Not an object creation (a delete, a restore, ...): acknowledged, not acted on. */
  IGNORED_EVENT,
  /** A key outside the raw-key format, including the service's own data/, metadata/ and cleanup/ writes. */
  IGNORED_KEY,
  /** The s3:TestEvent S3 sends when a notification is configured. */
  TEST,
  /** A message we cannot read: left on the queue for its redrive policy to move to the dead-letter queue. */
  MALFORMED;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
