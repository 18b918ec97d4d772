package io.logcompactor.compaction;

import io.logcompactor.compaction.Failpoints.Step;
import io.logcompactor.compaction.RawFetcher.Fetched;
import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import io.logcompactor.s3.S3Errors;
import io.logcompactor.s3.S3Store;
import io.logcompactor.s3.StoredObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * Compacts one pod: clean (delete raw keys a committed merge holds), merge (write new merged files), commit (the
 * metadata, If-Match on the ETag read), mark (the cleanup queue). Blocking: runs on a worker thread, fetching raw
 * objects in parallel on the S3 pool. The caller guarantees one run per pod at a time in this instance; other
 * instances are kept apart by the conditional commit.
 *
 * <p>Invariants: a raw key is deleted only while a committed metadata lists it as merged and its ETag is the one
 * merged; a data object is deleted only if this run wrote it and provably lost its commit, or if it is an orphan
 * ({@link OrphanPolicy}); a run that cannot tell whether its commit landed leaves everything in place.
 */
public final class PodCompactor {
  private static final Logger LOG = LoggerFactory.getLogger(PodCompactor.class);
  private static final String JSON = "application/json";

  private final S3Store store;
  private final long mergedMaxBytes;
  private final Duration orphanSafetyAge;
  private final CompactionSettings settings;
  private final Clock clock;
  private final Failpoints failpoints;
  private final CompactionMetrics metrics;
  private final RawFetcher fetcher;

  public PodCompactor(S3Store store, long mergedMaxBytes, Duration orphanSafetyAge, CompactionSettings settings,
                      Clock clock, Failpoints failpoints, CompactionMetrics metrics) {
    this.store = store;
    this.mergedMaxBytes = mergedMaxBytes;
    this.orphanSafetyAge = orphanSafetyAge;
    this.settings = settings;
    this.clock = clock;
    this.failpoints = failpoints;
    this.metrics = metrics;
    this.fetcher = new RawFetcher(store.client(), store.bucket(), settings.streamThreshold(), metrics.validation);
  }

  /** One run: clean, merge, commit, mark. */
  public RunResult compact(String pod) throws Exception {
    Instant started = clock.instant();
    String runId = UUID.randomUUID().toString();
    Optional<Read> read = readMetadata(pod);
    if (read.isEmpty()) return RunResult.of(pod, RunResult.Status.REFUSED);
    Read r = read.get();
    failpoints.reached(Step.METADATA_READ, pod);

    CleanOutcome clean = deleteMerged(pod, r.metadata());
    metrics.rawDeleted.increment(clean.deleted().size());
    failpoints.reached(Step.RAW_DELETED, pod);

    List<ListedObject> raw = list(Keys.rawPodPrefix(pod));
    List<ListedObject> data = list(Keys.dataPodPrefix(pod));
    int orphans = deleteOrphans(pod, r, data);
    failpoints.reached(Step.ORPHANS_DELETED, pod);

    // Keys deleted a moment ago that are listed again were uploaded again: new content, merged like any other.
    Set<String> skip = new HashSet<>(clean.kept());
    r.metadata().rejectedRawKeys().forEach(x -> skip.add(x.key()));
    MergePlan plan = MergePlanner.plan(pod, raw, skip, mergedMaxBytes, clock.instant());
    for (JobMetadata.RejectedRaw bad : plan.badKeys()) {
      LOG.error("pod {}: raw object s3://{}/{} is not merged: {}", pod, store.bucket(), bad.key(), bad.reason());
      metrics.rawRejectedBadKey.increment();
    }

    MergeOutcome merge = new MergeOutcome();
    try {
      merge(pod, plan, r.metadata(), data, merge, started, runId);
    } catch (Exception e) {
      // The commit never happened: what this run wrote is unreferenced and can go now rather than age out.
      removeOutputs(pod, merge);
      throw e;
    }

    if (!clean.changedMetadata() && merge.isEmpty() && plan.badKeys().isEmpty()) {
      return new RunResult(pod, RunResult.Status.NOTHING, 0, 0, 0, 0, orphans, r.metadata().mergedRawKeys().size());
    }
    JobMetadata next = MetadataUpdate.next(pod, r.metadata(), clean, merge, plan.badKeys(), clock.instant(),
        plan.newestUpload());
    if (!OrphanPolicy.mayCommit(started, clock.instant(), orphanSafetyAge)) {
      removeOutputs(pod, merge);
      throw new IllegalStateException("pod " + pod + ": run took longer than half the orphan safety age ("
          + orphanSafetyAge + "); not committing, so its files can never be mistaken for orphans");
    }
    if (!next.mergedRawKeys().isEmpty()) {
      // Queued before the commit as well as after it: a crash between the commit and the mark below would leave
      // merged raw keys that nothing ever cleans (no upload comes to trigger another run, no mark to drain).
      store.putBlocking(Keys.cleanupKey(pod), new byte[0], "application/octet-stream", b -> {});
    }
    if (!commit(pod, r, next, merge)) {
      return new RunResult(pod, RunResult.Status.BUSY, 0, 0, 0, 0, orphans, 0);
    }
    failpoints.reached(Step.COMMITTED, pod);

    if (!next.mergedRawKeys().isEmpty()) {
      store.putBlocking(Keys.cleanupKey(pod), new byte[0], "application/octet-stream", b -> {});
    }
    failpoints.reached(Step.MARKED, pod);

    int merged = merge.merged().size();
    int rejected = merge.rejected().size() + plan.badKeys().size();
    if (merged + rejected > 0) {
      LOG.info("pod {}: merged {} raw files into {} files ({} bytes), rejected {}, deleted {} merged raw files",
          pod, merged, merge.files().size(), merge.bytesWritten(), rejected, clean.deleted().size());
    }
    return new RunResult(pod, merged + rejected > 0 ? RunResult.Status.MERGED : RunResult.Status.NOTHING, merged,
        merge.files().size(), clean.deleted().size(), rejected, orphans, next.mergedRawKeys().size());
  }

  /**
   * The final cleanup of a pod that had no upload for {@code idleTimeout}: merge what is left, delete every merged
   * raw key, remove {@code cleanup/{pod}}. Leaves the pod queued if it turns out to be active.
   */
  public RunResult drain(String pod, Duration idleTimeout) throws Exception {
    Optional<Read> read = readMetadata(pod);
    if (read.isEmpty()) return RunResult.of(pod, RunResult.Status.REFUSED);
    if (!idle(read.get().metadata(), list(Keys.rawPodPrefix(pod)), idleTimeout)) {
      return RunResult.of(pod, RunResult.Status.ACTIVE);
    }
    // The first run merges what is left; the second deletes what the first merged. A third only if deletes failed.
    RunResult total = RunResult.of(pod, RunResult.Status.NOTHING);
    for (int i = 0; i < 3; i++) {
      RunResult run = compact(pod);
      total = total.plus(run);
      if (run.status() == RunResult.Status.BUSY || run.status() == RunResult.Status.REFUSED) return total;
      if (run.status() == RunResult.Status.NOTHING && run.pendingMergedKeys() == 0) break;
    }
    Optional<Read> after = readMetadata(pod);
    if (after.isEmpty()) return total.withStatus(RunResult.Status.REFUSED);
    JobMetadata m = after.get().metadata();
    if (!m.mergedRawKeys().isEmpty() || !idle(m, list(Keys.rawPodPrefix(pod)), idleTimeout)) {
      return total.withStatus(RunResult.Status.ACTIVE);
    }
    store.client().deleteObject(b -> b.bucket(store.bucket()).key(Keys.cleanupKey(pod)));
    // A run of another instance may have committed and queued the pod between our last look and the delete.
    Optional<Read> last = readMetadata(pod);
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

  /** The metadata and its ETag; empty (after logging and counting) when it must not be acted on. */
  private Optional<Read> readMetadata(String pod) {
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

  /** Clean phase: delete the raw keys a committed merge holds, each only while it is the object merged. */
  private CleanOutcome deleteMerged(String pod, JobMetadata m) {
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

  private int deleteOrphans(String pod, Read r, List<ListedObject> data) {
    Instant listedAt = clock.instant();
    abortStaleUploads(pod, listedAt);
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

  /** Merge phase: writes each planned output in order, fetching ahead in parallel. */
  private void merge(String pod, MergePlan plan, JobMetadata m, List<ListedObject> data, MergeOutcome out,
                     Instant started, String runId) throws Exception {
    if (plan.outputs().isEmpty()) return;
    DataKeyAllocator names = new DataKeyAllocator(pod, m, data.stream().map(ListedObject::key).toList());
    List<MergePlan.Raw> all = plan.outputs().stream().flatMap(o -> o.raws().stream()).toList();
    LookAhead<MergePlan.Raw, Fetched> ahead = new LookAhead<>(all, fetcher::cost,
        raw -> store.blocking(() -> fetcher.fetch(raw)).toCompletionStage(), settings.lookAheadBytes(),
        settings.fetchParallelism());
    for (MergePlan.Output output : plan.outputs()) {
      writeOutput(pod, output, ahead, names, out, started, runId);
      failpoints.reached(Step.DATA_WRITTEN, pod);
    }
  }

  private void writeOutput(String pod, MergePlan.Output output, LookAhead<MergePlan.Raw, Fetched> ahead,
                           DataKeyAllocator names, MergeOutcome out, Instant started, String runId) throws Exception {
    List<JobMetadata.Source> sources = new ArrayList<>();
    List<MergePlan.Raw> contributing = new ArrayList<>();
    Map<String, String> mergedHere = new LinkedHashMap<>();
    String[] firstMinute = new String[1];
    MergedObjectWriter writer = new MergedObjectWriter(store.client(), store.bucket(), settings.partSize(),
        () -> names.next(output.containerId(), firstMinute[0]),
        () -> OrphanPolicy.mayCommit(started, clock.instant(), orphanSafetyAge),
        () -> failpoints.reached(Step.PART_UPLOADED, pod), runId);
    try {
      for (MergePlan.Raw raw : output.raws()) {
        Fetched f = ahead.next();
        long offset = writer.position();
        String etag;
        RawFormat format;
        if (f instanceof RawFetcher.Gone) {
          LOG.warn("pod {}: raw object s3://{}/{} was listed but is gone (deleted by someone else?); not merged",
              pod, store.bucket(), raw.key());
          metrics.rawGone.increment();
          out.gone(raw.key());
          continue;
        }
        if (f instanceof RawFetcher.Corrupt c) {
          LOG.error("pod {}: raw object s3://{}/{} is corrupt gzip and is not merged: {}", pod, store.bucket(),
              raw.key(), c.reason());
          metrics.rawRejectedCorrupt.increment();
          out.rejected(new JobMetadata.RejectedRaw(raw.key(), "corrupt gzip: " + c.reason(),
              clock.instant().toString()));
          continue;
        }
        if (f instanceof RawFetcher.Empty e) {
          mergedHere.put(raw.key(), e.etag());
          metrics.merged(RawFormat.EMPTY);
          continue;
        }
        String minuteBefore = firstMinute[0];
        if (minuteBefore == null) firstMinute[0] = raw.rawKey().minute();
        if (f instanceof RawFetcher.Ready ready) {
          writer.write(ready.bytes(), 0, ready.length());
          etag = ready.etag();
          format = ready.format();
        } else {
          RawFetcher.Deferred d = (RawFetcher.Deferred) f;
          if (!fetcher.copy(raw.key(), d, writer.stream())) {
            firstMinute[0] = minuteBefore;
            LOG.warn("pod {}: raw object s3://{}/{} vanished while being copied; not merged", pod, store.bucket(),
                raw.key());
            metrics.rawGone.increment();
            out.gone(raw.key());
            continue;
          }
          etag = d.etag();
          format = d.format();
        }
        sources.add(new JobMetadata.Source(raw.key(), offset, writer.position() - offset));
        contributing.add(raw);
        mergedHere.put(raw.key(), etag);
        metrics.merged(format);
      }
      MergedObjectWriter.Written w = writer.finish();
      if (w != null) {
        out.addFile(new JobMetadata.MergedFile(w.key(), output.containerId(), output.container(), output.namespace(),
            contributing.size(), w.size(), contributing.get(0).rawKey().minute(),
            contributing.get(contributing.size() - 1).rawKey().minute(), sources, clock.instant().toString()),
            w.etag());
        metrics.fileWritten(w.multipart());
        metrics.bytesWritten.increment(w.size());
      }
      mergedHere.forEach(out::merged);
    } catch (Exception e) {
      writer.abort();
      throw e;
    }
  }

  /**
   * Commit: the metadata, If-Match on the ETag read (If-None-Match when there was none).
   *
   * @return false when another instance committed first; this run's outputs are then removed
   */
  private boolean commit(String pod, Read r, JobMetadata next, MergeOutcome merge) throws Exception {
    byte[] json = MetadataCodec.write(next);
    try {
      if (r.etag() == null) {
        store.putBlocking(Keys.metadataKey(pod), json, JSON, b -> b.ifNoneMatch("*"));
      } else {
        store.putBlocking(Keys.metadataKey(pod), json, JSON, b -> b.ifMatch(r.etag()));
      }
      return true;
    } catch (RuntimeException e) {
      if (!S3Errors.isPreconditionFailed(e)) {
        // The write may have landed with only its response lost: the outputs may be referenced now. Keep them.
        throw e;
      }
    }
    // A retried PUT whose first attempt landed also fails its precondition: if the metadata lists our files, we won.
    Optional<Read> now = readMetadata(pod);
    if (now.isPresent() && !merge.files().isEmpty()) {
      Set<String> ours = merge.dataEtags().keySet();
      boolean landed = now.get().metadata().logFiles().stream().anyMatch(f -> ours.contains(f.key()));
      if (landed) {
        LOG.info("pod {}: commit reported a conflict but the metadata holds this run's files: it landed", pod);
        return true;
      }
    }
    LOG.info("pod {}: another instance committed first; removing the {} files this run wrote", pod,
        merge.files().size());
    metrics.commitsLost.increment();
    removeOutputs(pod, merge);
    return false;
  }

  /** Deletes the merged files this run wrote, each only while it is still the object this run wrote. */
  private void removeOutputs(String pod, MergeOutcome merge) {
    if (merge.dataEtags().isEmpty()) return;
    try {
      Map<String, S3Error> errors = store.deleteAllIfMatchBlocking(merge.dataEtags());
      if (!errors.isEmpty()) {
        LOG.warn("pod {}: {} unreferenced merged files not deleted ({}); they age out as orphans", pod,
            errors.size(), errors.values().iterator().next().code());
      }
    } catch (RuntimeException e) {
      LOG.warn("pod {}: deleting unreferenced merged files failed ({}); they age out as orphans", pod, e.toString());
    }
  }

  private List<ListedObject> list(String prefix) {
    return store.listBlocking(prefix).stream().map(ListedObject::of).toList();
  }

  /** Metadata as read: its ETag (null when absent) and when it was read. */
  private record Read(JobMetadata metadata, String etag, Instant readAt) {}
}
