package io.logcompactor.compaction;

import java.time.Instant;
import software.amazon.awssdk.services.s3.model.S3Object;

/** One entry of a bucket listing, as the pure planning code needs it. */
public record ListedObject(String key, long size, Instant lastModified, String etag) {
  public static ListedObject of(S3Object o) {
    return new ListedObject(o.key(), o.size() == null ? 0 : o.size(), o.lastModified(), o.eTag());
  }
}
