package io.logcompactor.read;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.MetadataCodec;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** The reader's blocking view of the bucket; called on worker threads only. */
public interface JobStore {
  /** A job's metadata as read, with its ETag; both null when the job has none. */
  record VersionedMetadata(JobMetadata metadata, String etag) {}

  VersionedMetadata readMetadata(String pod) throws MetadataCodec.UnreadableMetadataException;

  /** Every key under the pod's raw prefix. */
  List<String> listRawKeys(String pod);

  /**
   * A stream of the object's bytes [offset, offset + length), or from offset to the end when length is -1.
   *
   * @throws ObjectVanishedException when the object does not exist
   */
  InputStream open(String key, long offset, long length) throws IOException;

  boolean exists(String key);
}
