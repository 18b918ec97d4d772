package io.logcompactor.tracking;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Every tracked pod, in pod-name order, with its pending raw keys. Pure state, no I/O, used from one thread (the
 * tracker's event loop). Memory is bounded per pod by its pending set.
 *
 * <p>Every key added gets a sequence number. A reconcile takes the {@link #mark()} before listing and only removes
 * keys added before it, so a key whose event arrives while a listing runs is never lost.
 */
final class PodTable {
  private final TreeMap<String, PodState> pods = new TreeMap<>();
  private long sequence;
  private long pendingTotal;

  /** What a reconcile changed. */
  record ReconcileOutcome(int added, int removed) {}

  /** @return whether {@code key} was not pending yet (SQS is at-least-once: a second event counts nothing) */
  boolean add(String pod, String key, Instant uploadedAt) {
    PodState s = pods.computeIfAbsent(pod, PodState::new);
    s.sawUpload(uploadedAt);
    boolean added = s.add(key, sequence++);
    if (added) pendingTotal++;
    return added;
  }

  PodState get(String pod) {
    return pods.get(pod);
  }

  int pending(String pod) {
    PodState s = pods.get(pod);
    return s == null ? 0 : s.pendingCount();
  }

  /** The keys a merge request sent now covers. */
  Set<String> snapshot(String pod) {
    PodState s = pods.get(pod);
    return s == null ? Set.of() : Set.copyOf(s.pendingKeys());
  }

  /** Drops keys a successful merge covered; keys added since stay pending. @return how many were dropped */
  int dropMerged(String pod, Collection<String> keys) {
    PodState s = pods.get(pod);
    if (s == null) return 0;
    int n = 0;
    for (String k : keys) {
      if (s.remove(k)) n++;
    }
    pendingTotal -= n;
    return n;
  }

  /** The sequence number the next key will get: taken before a listing starts. */
  long mark() {
    return sequence;
  }

  /**
   * Merges a listing taken after {@code mark} into the table: live keys become pending; keys pending since before the
   * mark that the listing no longer shows as live (merged, rejected or gone) stop being pending. Pods whose metadata
   * was unreadable are left as they are.
   */
  ReconcileOutcome reconcile(RawListing listing, long mark) {
    int added = 0;
    int removed = 0;
    for (PodListing l : listing.pods().values()) {
      PodState s = pods.get(l.pod());
      if (s == null) {
        if (l.liveKeys().isEmpty()) continue;
        s = new PodState(l.pod());
        pods.put(l.pod(), s);
      }
      s.sawUpload(l.lastModified());
      for (String k : l.liveKeys()) {
        if (s.add(k, sequence++)) added++;
      }
    }
    for (PodState s : pods.values()) {
      if (listing.unreadable().contains(s.pod)) continue;
      PodListing l = listing.pods().get(s.pod);
      Set<String> live = l == null ? Set.of() : l.liveKeys();
      for (String k : List.copyOf(s.pendingKeys())) {
        if (!live.contains(k) && s.pendingBefore(k, mark) && s.remove(k)) removed++;
      }
    }
    pendingTotal += added - removed;
    return new ReconcileOutcome(added, removed);
  }

  boolean forget(String pod) {
    PodState s = pods.remove(pod);
    if (s == null) return false;
    pendingTotal -= s.pendingCount();
    return true;
  }

  /**
   * Forgets pods with nothing pending whose last upload is before {@code cutoff}, except {@code busy} ones, so that
   * memory does not grow with every pod ever seen. @return the pods forgotten
   */
  List<String> forgetIdle(Instant cutoff, Predicate<String> busy) {
    List<String> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, PodState>> it = pods.entrySet().iterator(); it.hasNext(); ) {
      PodState s = it.next().getValue();
      if (s.pendingCount() == 0 && !busy.test(s.pod) && (s.lastUpload() == null || s.lastUpload().isBefore(cutoff))) {
        it.remove();
        out.add(s.pod);
      }
    }
    return out;
  }

  /** Pods in name order, from {@code offset}, at most {@code limit}. */
  List<PodState> page(int offset, int limit) {
    List<PodState> out = new ArrayList<>(Math.min(limit, pods.size()));
    int i = 0;
    for (PodState s : pods.values()) {
      if (i++ < offset) continue;
      if (out.size() >= limit) break;
      out.add(s);
    }
    return out;
  }

  Collection<PodState> all() {
    return pods.values();
  }

  int size() {
    return pods.size();
  }

  long pendingTotal() {
    return pendingTotal;
  }
}
