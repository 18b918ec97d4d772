package io.logcompactor.tracking;

import java.time.Instant;
import java.util.Set;

/**
 * One pod in a listing of the raw prefix.
 *
 * @param pod          the pod
 * @param liveKeys     its raw keys that metadata does not list as merged or rejected: what is really pending
 * @param lastModified newest Last-Modified among all its raw objects
 */
record PodListing(String pod, Set<String> liveKeys, Instant lastModified) {
  PodListing {
    liveKeys = Set.copyOf(liveKeys);
  }
}
