package io.logcompactor.compaction;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.s3.S3Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The final cleanup of an idle pod, for the cleanup queue. Idleness is judged from S3 (the newest raw object and
 * the metadata's last upload time), because with several replicas no single tracker sees every upload. Blocking.
 */
public final class PodDrainer {
  private static final Logger LOG = LoggerFactory.getLogger(PodDrainer.class);

  private final S3Store store;
  private final PodCompactor compactor;
  private final MetadataReader metadata;
  private final Clock clock;

  PodDrainer(S3Store store, PodCompactor compactor, MetadataReader metadata, Clock clock) {
    this.store = store;
    this.compactor = compactor;
    this.metadata = metadata;
    this.clock = clock;
  }

  /**
   * The final cleanup of a pod that had no upload for {@code idleTimeout}: merge what is left, delete every merged
   * raw key, remove {@code cleanup/{pod}}. Leaves the pod queued if it turns out to be active.
   */
  public RunResult drain(String pod, Duration idleTimeout) throws Exception {
    Optional<MetadataReader.Read> read = metadata.read(pod);
    if (read.isEmpty()) return RunResult.of(pod, RunResult.Status.REFUSED);
    if (!idle(read.get().metadata(), list(pod), idleTimeout)) {
      return RunResult.of(pod, RunResult.Status.ACTIVE);
    }
    // The first run merges what is left; the second deletes what the first merged. A third only if deletes failed.
    RunResult total = RunResult.of(pod, RunResult.Status.NOTHING);
    for (int i = 0; i < 3; i++) {
      RunResult run = compactor.compact(pod);
      total = total.plus(run);
      if (run.status() == RunResult.Status.BUSY || run.status() == RunResult.Status.REFUSED) return total;
      if (run.status() == RunResult.Status.NOTHING && run.pendingMergedKeys() == 0) break;
    }
    Optional<MetadataReader.Read> after = metadata.read(pod);
    if (after.isEmpty()) return total.withStatus(RunResult.Status.REFUSED);
    JobMetadata m = after.get().metadata();
    if (!m.mergedRawKeys().isEmpty() || !idle(m, list(pod), idleTimeout)) {
      return total.withStatus(RunResult.Status.ACTIVE);
    }
    store.client().deleteObject(b -> b.bucket(store.bucket()).key(Keys.cleanupKey(pod)));
    // A run of another instance may have committed and queued the pod between our last look and the delete.
    Optional<MetadataReader.Read> last = metadata.read(pod);
    if (last.isPresent() && !last.get().metadata().mergedRawKeys().isEmpty()) {
      store.putBlocking(Keys.cleanupKey(pod), new byte[0], "application/octet-stream", b -> {});
      return total.withStatus(RunResult.Status.ACTIVE);
    }
    LOG.info("pod {}: idle for {}, drained from the cleanup queue", pod, idleTimeout);
    return total.withStatus(RunResult.Status.DRAINED);
  }

  private boolean idle(JobMetadata m, List<ListedObject> raw, Duration idleTimeout) {
    Instant newest = null;
    for (ListedObject o : raw) {
      if (o.lastModified() != null && (newest == null || o.lastModified().isAfter(newest))) newest = o.lastModified();
    }
    if (m.lastUploadTime() != null) {
      try {
        Instant recorded = Instant.parse(m.lastUploadTime());
        if (newest == null || recorded.isAfter(newest)) newest = recorded;
      } catch (java.time.format.DateTimeParseException e) {
        LOG.warn("pod {}: last_upload_time '{}' is not a time; judging idleness by the raw files", m.pod(),
            m.lastUploadTime());
      }
    }
    return newest == null || !newest.isAfter(clock.instant().minus(idleTimeout));
  }

  private List<ListedObject> list(String pod) {
    return store.listBlocking(Keys.rawPodPrefix(pod)).stream().map(ListedObject::of).toList();
  }
}
