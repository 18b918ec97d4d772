package io.logcompactor.layout;

import java.util.Comparator;

/**
 * One Fluent Bit upload: {@code kube.var.log.containers.{pod}_{namespace}_{container}-{containerId}[.log]/{minute}_{index}.gz}.
 * Raw files of one container are ordered by (minute, index); {@code minute} is {@code yyyyMMddHHmm} in UTC.
 */
public record RawKey(String key, String pod, String namespace, String container, String containerId, String minute,
                     long index) implements Comparable<RawKey> {

  /** Upload order within one container; the key breaks ties so the order is total. */
  public static final Comparator<RawKey> ORDER =
      Comparator.comparing(RawKey::minute).thenComparingLong(RawKey::index).thenComparing(RawKey::key);

  @Override
  public int compareTo(RawKey o) {
    return ORDER.compare(this, o);
  }
}
