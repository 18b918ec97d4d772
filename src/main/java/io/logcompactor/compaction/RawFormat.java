package io.logcompactor.compaction;

/**
 * What a raw object holds, judged by its first bytes. Fluent Bit writes gzip members, or, with compression off,
 * plain JSON lines under the same {@code .gz} name.
 */
public enum RawFormat {
  EMPTY,
  GZIP,
  PLAIN;

  /** @param head the object's first bytes (two are enough), {@code length} of them valid */
  public static RawFormat sniff(byte[] head, int length) {
    if (length <= 0) return EMPTY;
    if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) return GZIP;
    return PLAIN;
  }
}
