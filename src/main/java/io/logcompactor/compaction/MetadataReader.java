package io.logcompactor.compaction;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import io.logcompactor.s3.S3Store;
import io.logcompactor.s3.StoredObject;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads {@code metadata/{pod}.json} with the ETag a commit must be conditional on. Blocking. */
final class MetadataReader {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataReader.class);

  /** Metadata as read: its ETag (null when there is none yet) and when it was read. */
  record Read(JobMetadata metadata, String etag, Instant readAt) {
    boolean exists() {
      return etag != null;
    }
  }

  private final S3Store store;
  private final Clock clock;
  private final CompactionMetrics metrics;

  MetadataReader(S3Store store, Clock clock, CompactionMetrics metrics) {
    this.store = store;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** @return empty (after an error log and a count) when the metadata is unreadable or newer than this build */
  Optional<Read> read(String pod) {
    Instant at = clock.instant();
    Optional<StoredObject> stored = store.getSmallBlocking(Keys.metadataKey(pod));
    if (stored.isEmpty()) return Optional.of(new Read(JobMetadata.empty(pod), null, at));
    try {
      return Optional.of(new Read(MetadataCodec.parse(pod, stored.get().bytes()), stored.get().etag(), at));
    } catch (MetadataCodec.UnreadableMetadataException e) {
      LOG.error("pod {}: refusing to compact: {}", pod, e.getMessage());
      metrics.metadataRefused.increment();
      return Optional.empty();
    }
  }
}
