package io.logcompactor.tracking;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** One pod as the tracker sees it: its raw keys not yet merged, and its newest upload. */
final class PodState {
  final String pod;
  /** Raw key -> the table's sequence number when it was added; reconcile uses it to tell old keys from new ones. */
  private final Map<String, Long> pending = new LinkedHashMap<>();
  private Instant lastUpload;

  PodState(String pod) {
    this.pod = pod;
  }

  int pendingCount() {
    return pending.size();
  }

  Set<String> pendingKeys() {
    return Collections.unmodifiableSet(pending.keySet());
  }

  boolean isPending(String key) {
    return pending.containsKey(key);
  }

  Instant lastUpload() {
    return lastUpload;
  }

  boolean add(String key, long sequence) {
    return pending.putIfAbsent(key, sequence) == null;
  }

  boolean remove(String key) {
    return pending.remove(key) != null;
  }

  /** Whether {@code key} is pending and was added before {@code mark}. */
  boolean pendingBefore(String key, long mark) {
    Long seq = pending.get(key);
    return seq != null && seq < mark;
  }

  void sawUpload(Instant t) {
    if (t != null && (lastUpload == null || t.isAfter(lastUpload))) lastUpload = t;
  }
}
