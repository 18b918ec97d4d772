package io.logcompactor.soak;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Every raw object a producer uploaded, with the log messages it carried, in upload order per pod. Thread-safe. */
public final class UploadLedger {
  /** One uploaded raw object. */
  public record Upload(String pod, String container, String containerId, String rawKey, List<String> messages) {}

  private final Map<String, List<Upload>> byPod = new LinkedHashMap<>();

  public synchronized void record(Upload upload) {
    byPod.computeIfAbsent(upload.pod(), p -> new ArrayList<>()).add(upload);
  }

  public synchronized Set<String> pods() {
    return new TreeSet<>(byPod.keySet());
  }

  public synchronized List<Upload> uploads(String pod) {
    return List.copyOf(byPod.getOrDefault(pod, List.of()));
  }

  /** The pod's messages in upload order (which is each container's (minute, index) order). */
  public synchronized List<String> messages(String pod) {
    List<String> out = new ArrayList<>();
    for (Upload u : byPod.getOrDefault(pod, List.of())) out.addAll(u.messages());
    return out;
  }

  public synchronized long objects() {
    return byPod.values().stream().mapToLong(List::size).sum();
  }

  public synchronized long lines() {
    return byPod.values().stream().flatMap(List::stream).mapToLong(u -> u.messages().size()).sum();
  }
}
