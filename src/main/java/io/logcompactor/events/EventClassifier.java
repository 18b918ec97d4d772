package io.logcompactor.events;

import io.logcompactor.layout.RawKeyParser;

/**
 * Decides which events the tracker hears about: object creations in our bucket whose key is a raw key. Everything
 * else, including the service's own data/, metadata/ and cleanup/ writes, is acknowledged and counted, so the
 * service never reacts to itself.
 */
public final class EventClassifier {
  private final String bucket;

  public EventClassifier(String bucket) {
    this.bucket = bucket;
  }

  public EventKind classify(S3Event e) {
    if (!bucket.equals(e.bucket())) return EventKind.IGNORED_BUCKET;
    if (!e.created()) return EventKind.IGNORED_EVENT;
    if (RawKeyParser.parse(e.key()) instanceof RawKeyParser.Rejected) return EventKind.IGNORED_KEY;
    return EventKind.CREATED;
  }

  /** Why a key is ignored, for the debug log. */
  public static String keyProblem(String key) {
    return RawKeyParser.parse(key) instanceof RawKeyParser.Rejected r ? r.reason() : null;
  }
}
