package io.logcompactor.compaction;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.s3.S3Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * The clean phase of a run: deletes the raw keys a committed merge holds (each only while its ETag is the one
 * merged), orphan data objects ({@link OrphanPolicy}) and stale multipart uploads. Blocking. Failures to delete are
 * logged and counted, never fatal: what is not deleted now is deleted by a later run.
 */
final class CleanPhase {
  private static final Logger LOG = LoggerFactory.getLogger(CleanPhase.class);

  private final S3Store store;
  private final Duration orphanSafetyAge;
  private final Clock clock;
  private final CompactionMetrics metrics;

  CleanPhase(S3Store store, Duration orphanSafetyAge, Clock clock, CompactionMetrics metrics) {
    this.store = store;
    this.orphanSafetyAge = orphanSafetyAge;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Clean phase: delete the raw keys a committed merge holds, each only while it is the object merged. */
  CleanOutcome deleteMerged(String pod, JobMetadata m) {
    if (m.mergedRawKeys().isEmpty()) return CleanOutcome.NOTHING;
    Map<String, String> targets = new LinkedHashMap<>();
    for (String k : m.mergedRawKeys()) targets.put(k, m.mergedRawEtags().get(k));
    Map<String, S3Error> errors;
    try {
      errors = store.deleteAllIfMatchBlocking(targets);
    } catch (RuntimeException e) {
      LOG.warn("pod {}: deleting {} merged raw files failed ({}); a later run retries", pod, targets.size(),
          e.toString());
      metrics.deleteFailures.increment(targets.size());
      return new CleanOutcome(List.of(), List.of(), List.copyOf(targets.keySet()));
    }
    List<String> deleted = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (String k : targets.keySet()) {
      S3Error err = errors.get(k);
      if (err == null || "NoSuchKey".equals(err.code())) {
        deleted.add(k);
      } else if ("PreconditionFailed".equals(err.code())) {
        LOG.warn("pod {}: raw object {} was uploaded again after it was merged; merging the new content", pod, k);
        metrics.rawChanged.increment();
        changed.add(k);
      } else {
        LOG.warn("pod {}: could not delete merged raw object {}: {} {}", pod, k, err.code(), err.message());
        metrics.deleteFailures.increment();
        kept.add(k);
      }
    }
    return new CleanOutcome(deleted, changed, kept);
  }

  /** Deletes stale orphans among {@code data}, the pod's data objects listed after {@code r} was read. */
  int deleteOrphans(String pod, MetadataReader.Read r, List<ListedObject> data) {
    Instant listedAt = clock.instant();
    abortStaleUploads(pod, listedAt);
    if (!r.exists()) {
      // Without metadata, old unreferenced files are either a crashed first run's or the work of a pod whose
      // metadata was lost; deleting them could be the second. A leak is the lesser evil.
      if (!data.isEmpty()) {
        LOG.warn("pod {}: {} data objects but no metadata; not deleting any of them", pod, data.size());
      }
      return 0;
    }
    List<ListedObject> orphans = OrphanPolicy.select(r.metadata(), data, r.readAt(), listedAt, orphanSafetyAge);
    if (orphans.isEmpty()) return 0;
    Map<String, String> targets = new LinkedHashMap<>();
    orphans.forEach(o -> targets.put(o.key(), o.etag()));
    try {
      Map<String, S3Error> errors = store.deleteAllIfMatchBlocking(targets);
      int deleted = targets.size() - (int) errors.values().stream().filter(e -> !"NoSuchKey".equals(e.code())).count();
      LOG.info("pod {}: deleted {} orphan data objects older than {}", pod, deleted, orphanSafetyAge);
      metrics.orphansDeleted.increment(deleted);
      return deleted;
    } catch (RuntimeException e) {
      LOG.warn("pod {}: deleting orphan data objects failed ({}); a later run retries", pod, e.toString());
      return 0;
    }
  }

  /** Multipart uploads of crashed runs hold storage until aborted; any older than the safety age is dead. */
  private void abortStaleUploads(String pod, Instant now) {
    String prefix = Keys.dataPodPrefix(pod);
    try {
      var uploads = store.client().listMultipartUploads(b -> b.bucket(store.bucket()).prefix(prefix)).uploads();
      for (var u : uploads) {
        if (u.initiated() != null && u.initiated().isBefore(now.minus(orphanSafetyAge))) {
          store.client().abortMultipartUpload(b -> b.bucket(store.bucket()).key(u.key()).uploadId(u.uploadId()));
          metrics.uploadsAborted.increment();
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("pod {}: listing or aborting stale multipart uploads failed: {}", pod, e.toString());
    }
  }
}
