package io.logcompactor.read;

import java.util.List;

/**
 * One GET of the read: a whole raw object, or a byte range of a merged object that holds the content of one or more
 * consecutive raw objects of a container.
 *
 * @param rawKeys     the raw keys whose lines this read yields, in order; done once the read completes
 * @param objectKey   the S3 object to GET
 * @param offset      first byte
 * @param length      bytes to read, or -1 for the whole object
 * @param merged      whether {@code objectKey} is a merged {@code data/} object (never deleted) or a raw one (may
 *                    vanish once merged)
 */
public record ReadUnit(List<String> rawKeys, String containerId, String container, String objectKey, long offset,
                       long length, boolean merged) {
  public ReadUnit {
    rawKeys = List.copyOf(rawKeys);
  }

  public boolean wholeObject() {
    return offset == 0 && length < 0;
  }
}
