package io.logcompactor.compaction;

import io.logcompactor.compaction.Failpoints.Step;
import io.logcompactor.compaction.RawFetcher.Fetched;
import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import io.logcompactor.s3.S3Errors;
import io.logcompactor.s3.S3Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
  /** Commit attempts, each after the SDK's own retries, when a failure leaves it unknown whether the write landed. */
  private static final int COMMIT_ROUNDS = 3;

  private final S3Store store;
  private final long mergedMaxBytes;
  private final Duration orphanSafetyAge;
  private final CompactionSettings settings;
  private final Clock clock;
  private final Failpoints failpoints;
  private final CompactionMetrics metrics;
  private final RawFetcher fetcher;
  private final MetadataReader metadata;
  private final CleanPhase cleaner;

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
    this.metadata = new MetadataReader(store, clock, metrics);
    this.cleaner = new CleanPhase(store, orphanSafetyAge, clock, metrics);
  }

  /** A drainer for the cleanup queue, running this compactor's runs. */
  public PodDrainer drainer() {
    return new PodDrainer(store, this, metadata, clock);
  }

  /** One run: clean, merge, commit, mark. */
  public RunResult compact(String pod) throws Exception {
    Instant started = clock.instant();
    String runId = UUID.randomUUID().toString();
    Optional<MetadataReader.Read> read = metadata.read(pod);
    if (read.isEmpty()) return RunResult.of(pod, RunResult.Status.REFUSED);
    MetadataReader.Read r = read.get();
    failpoints.reached(Step.METADATA_READ, pod);

    CleanOutcome clean = cleaner.deleteMerged(pod, r.metadata());
    metrics.rawDeleted.increment(clean.deleted().size());
    failpoints.reached(Step.RAW_DELETED, pod);

    // Keys deleted a moment ago that are listed again were uploaded again: new content, merged like any other.
    Set<String> skip = new HashSet<>(clean.kept());
    r.metadata().rejectedRawKeys().forEach(x -> skip.add(x.key()));
    // Half the look-ahead's budget: what the merge has not taken yet is held beside what its look-ahead fetches.
    EarlyFetches<MergePlan.Raw, Fetched> early = new EarlyFetches<>(this::fetchNow, fetcher::cost,
        settings.lookAheadBytes() / 2, settings.fetchesAhead());
    List<ListedObject> raw = listRaw(pod, skip, early);
    List<ListedObject> data = list(Keys.dataPodPrefix(pod));
    int orphans = cleaner.deleteOrphans(pod, r, data);
    failpoints.reached(Step.ORPHANS_DELETED, pod);

    MergePlan plan = MergePlanner.plan(pod, raw, skip, mergedMaxBytes, clock.instant());
    for (JobMetadata.RejectedRaw bad : plan.badKeys()) {
      LOG.error("pod {}: raw object s3://{}/{} is not merged: {}", pod, store.bucket(), bad.key(), bad.reason());
      metrics.rawRejectedBadKey.increment();
    }

    MergeOutcome merge = new MergeOutcome();
    try {
      merge(pod, plan, r.metadata(), data, merge, started, runId, early);
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

  /** Merge phase: writes each planned output in order, fetching ahead in parallel. */
  private void merge(String pod, MergePlan plan, JobMetadata m, List<ListedObject> data, MergeOutcome out,
                     Instant started, String runId, EarlyFetches<MergePlan.Raw, Fetched> early) throws Exception {
    if (plan.outputs().isEmpty()) return;
    DataKeyAllocator names = new DataKeyAllocator(pod, m, data.stream().map(ListedObject::key).toList());
    List<MergePlan.Raw> all = plan.outputs().stream().flatMap(o -> o.raws().stream()).toList();
    LookAhead<MergePlan.Raw, Fetched> ahead = new LookAhead<>(all, fetcher::cost, raw -> {
      CompletableFuture<Fetched> fetched = early.take(raw);
      if (fetched == null) return fetchNow(raw);
      metrics.rawFetchedEarly.increment();
      return fetched;
    }, settings.lookAheadBytes(), settings.fetchesAhead());
    Deque<byte[]> buffers = new ArrayDeque<>();
    // A multipart file's completion (the server assembles its parts: on S3Proxy 80-520 ms for 64 MiB) runs while the
    // next file is written; the one before it is settled first, so at most one is in flight and files are recorded,
    // and their failpoints reached, in order.
    Finishing completing = null;
    Finishing next = null;
    try {
      for (MergePlan.Output output : plan.outputs()) {
        next = writeOutput(pod, output, ahead, names, out, started, runId, buffers);
        buffers = next.writer.buffers();
        if (completing != null) {
          Finishing done = completing;
          completing = null;
          settle(pod, done, out);
        }
        completing = next.start();
        next = null;
      }
      Finishing last = completing;
      completing = null;
      settle(pod, last, out);
    } catch (Exception | Error e) {
      settleAfterFailure(completing, next, out);
      throw e;
    }
  }

  /** A merged file whose bytes are all uploaded, and what to record once it is visible. */
  private final class Finishing {
    final MergedObjectWriter writer;
    final MergedObjectWriter.Finished finished;
    final MergePlan.Output output;
    final List<JobMetadata.Source> sources;
    final List<MergePlan.Raw> contributing;
    final Map<String, String> mergedHere;
    /** Null until started; a file one PUT wrote is visible already and starts at once. */
    CompletableFuture<MergedObjectWriter.Written> running;

    Finishing(MergedObjectWriter writer, MergedObjectWriter.Finished finished, MergePlan.Output output,
              List<JobMetadata.Source> sources, List<MergePlan.Raw> contributing, Map<String, String> mergedHere) {
      this.writer = writer;
      this.finished = finished;
      this.output = output;
      this.sources = sources;
      this.contributing = contributing;
      this.mergedHere = mergedHere;
      if (finished.completion() == null) running = CompletableFuture.completedFuture(finished.written());
    }

    Finishing start() {
      if (running == null) running = store.blocking(finished::complete).toCompletionStage().toCompletableFuture();
      return this;
    }

    /** @return the file, or null when nothing was written */
    MergedObjectWriter.Written await() throws Exception {
      try {
        return running.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof Exception cause) throw cause;
        if (e.getCause() instanceof Error err) throw err;
        throw e;
      }
    }

    void recordFile(MergedObjectWriter.Written w, MergeOutcome out) {
      out.addFile(new JobMetadata.MergedFile(w.key(), output.containerId(), output.container(), output.namespace(),
          contributing.size(), w.size(), contributing.get(0).rawKey().minute(),
          contributing.get(contributing.size() - 1).rawKey().minute(), sources, clock.instant().toString()),
          w.etag());
    }
  }

  /** Waits for a file to be visible and records it, and the raw keys it holds, as merged. */
  private void settle(String pod, Finishing f, MergeOutcome out) throws Exception {
    MergedObjectWriter.Written w = f.await();
    if (w != null) {
      f.recordFile(w, out);
      metrics.fileWritten(w.upload());
      metrics.bytesWritten.increment(w.size());
    }
    f.mergedHere.forEach(out::merged);
    failpoints.reached(Step.DATA_WRITTEN, pod);
  }

  /**
   * After a failure, or a simulated crash: a file made visible, or being completed, is waited for and recorded, so
   * that a failed run removes it with the others; a multipart upload not yet being completed is abandoned.
   */
  private void settleAfterFailure(Finishing completing, Finishing next, MergeOutcome out) {
    for (Finishing f : java.util.Arrays.asList(completing, next)) {
      if (f == null) continue;
      if (f.running == null) {
        f.writer.abort();
        continue;
      }
      try {
        MergedObjectWriter.Written w = f.await();
        if (w != null) f.recordFile(w, out);
      } catch (Exception | Error ignored) {
        // Its completion failed and aborted its upload: nothing of it is visible.
      }
    }
  }

  /** What an output holds so far: the raw objects appended, where, and the raw keys it merges. */
  private static final class OutputFile {
    final List<JobMetadata.Source> sources = new ArrayList<>();
    final List<MergePlan.Raw> contributing = new ArrayList<>();
    final Map<String, String> mergedHere = new LinkedHashMap<>();
    /** The first appended object's minute, which names the file. */
    String firstMinute;
  }

  /** Writes an output's bytes and uploads them; the file becomes visible when the result is started and settled. */
  private Finishing writeOutput(String pod, MergePlan.Output output, LookAhead<MergePlan.Raw, Fetched> ahead,
                                DataKeyAllocator names, MergeOutcome out, Instant started, String runId,
                                Deque<byte[]> buffers)
      throws Exception {
    OutputFile file = new OutputFile();
    long listed = output.listedBytes();
    // Held for one PUT only when the listing says it fits: a larger file's first part should not wait for its second.
    long singlePutMax = listed <= settings.singlePutMax() ? settings.singlePutMax() : settings.partSize();
    // A larger one streams as one PUT of the listed size, as long as every object turns out to be what was listed.
    long streamSize = settings.streamLargeFiles() && listed > settings.singlePutMax()
        && listed <= MergedObjectWriter.MAX_SINGLE_PUT ? listed : -1;
    MergedObjectWriter writer = new MergedObjectWriter(store.client(),
        upload -> store.blocking(upload).toCompletionStage(), store.bucket(), settings.partSize(), singlePutMax,
        streamSize, () -> names.next(output.containerId(), file.firstMinute),
        () -> OrphanPolicy.mayCommit(started, clock.instant(), orphanSafetyAge),
        () -> failpoints.reached(Step.PART_UPLOADED, pod), runId, buffers);
    try {
      long listedSoFar = 0;
      for (MergePlan.Raw raw : output.raws()) {
        Fetched f = ahead.next();
        listedSoFar += raw.object().size();
        long adds = f.appended();
        if (writer.streamPlanned() && (adds < 0 || writer.position() + adds != listedSoFar)) {
          LOG.info("pod {}: raw object s3://{}/{} does not append the {} bytes listed; its merged file is written as "
              + "parts", pod, store.bucket(), raw.key(), raw.object().size());
          rewriteAsParts(pod, writer, file, out);
        }
        try {
          append(pod, raw, f, writer, file, out, true);
        } catch (MergedObjectWriter.StreamBroken e) {
          rewriteAfter(e, pod, writer, file, out);
          append(pod, raw, f, writer, file, out, true);
        }
        // A deferred object that vanished before its copy appended nothing.
        if (writer.streamPlanned() && writer.position() != listedSoFar) rewriteAsParts(pod, writer, file, out);
      }
      MergedObjectWriter.Finished finished;
      try {
        finished = writer.finishUploads();
      } catch (MergedObjectWriter.StreamBroken e) {
        rewriteAfter(e, pod, writer, file, out);
        finished = writer.finishUploads();
      }
      return new Finishing(writer, finished, output, file.sources, file.contributing, file.mergedHere);
    } catch (Exception e) {
      writer.abort();
      throw e;
    }
  }

  private void rewriteAfter(MergedObjectWriter.StreamBroken e, String pod, MergedObjectWriter writer, OutputFile file,
                            MergeOutcome out) throws Exception {
    LOG.warn("pod {}: {} ({}); writing it again as parts", pod, e.getMessage(), e.getCause().toString());
    rewriteAsParts(pod, writer, file, out);
  }

  /**
   * Gives up the file's streamed PUT. Bytes already sent are lost with it, so the objects appended so far are fetched
   * again and appended anew (each may have changed since, and is judged again).
   */
  private void rewriteAsParts(String pod, MergedObjectWriter writer, OutputFile file, MergeOutcome out)
      throws Exception {
    metrics.streamsGivenUp.increment();
    if (!writer.cancelStream()) return;
    List<MergePlan.Raw> again = List.copyOf(file.contributing);
    file.sources.clear();
    file.contributing.clear();
    again.forEach(r -> file.mergedHere.remove(r.key()));
    for (MergePlan.Raw raw : again) append(pod, raw, fetcher.fetch(raw), writer, file, out, false);
  }

  /**
   * Appends one fetched raw object to the file, or records why it is not merged.
   *
   * @param first false when the object is appended again (it was counted the first time)
   */
  private void append(String pod, MergePlan.Raw raw, Fetched f, MergedObjectWriter writer, OutputFile file,
                      MergeOutcome out, boolean first) throws Exception {
    long offset = writer.position();
    String etag;
    RawFormat format;
    if (f instanceof RawFetcher.Gone) {
      LOG.warn("pod {}: raw object s3://{}/{} was listed but is gone (deleted by someone else?); not merged",
          pod, store.bucket(), raw.key());
      metrics.rawGone.increment();
      out.gone(raw.key());
      return;
    }
    if (f instanceof RawFetcher.Corrupt c) {
      LOG.error("pod {}: raw object s3://{}/{} is corrupt gzip and is not merged: {}", pod, store.bucket(),
          raw.key(), c.reason());
      metrics.rawRejectedCorrupt.increment();
      out.rejected(new JobMetadata.RejectedRaw(raw.key(), "corrupt gzip: " + c.reason(),
          clock.instant().toString()));
      return;
    }
    if (f instanceof RawFetcher.Empty e) {
      file.mergedHere.put(raw.key(), e.etag());
      if (first) metrics.merged(RawFormat.EMPTY);
      return;
    }
    String minuteBefore = file.firstMinute;
    if (minuteBefore == null) file.firstMinute = raw.rawKey().minute();
    if (f instanceof RawFetcher.Ready ready) {
      writer.write(ready.bytes(), 0, ready.length());
      etag = ready.etag();
      format = ready.format();
    } else {
      RawFetcher.Deferred d = (RawFetcher.Deferred) f;
      if (!fetcher.copy(raw.key(), d, writer.stream())) {
        file.firstMinute = minuteBefore;
        LOG.warn("pod {}: raw object s3://{}/{} vanished while being copied; not merged", pod, store.bucket(),
            raw.key());
        metrics.rawGone.increment();
        out.gone(raw.key());
        return;
      }
      etag = d.etag();
      format = d.format();
    }
    file.sources.add(new JobMetadata.Source(raw.key(), offset, writer.position() - offset));
    file.contributing.add(raw);
    file.mergedHere.put(raw.key(), etag);
    if (first) metrics.merged(format);
  }

  /**
   * Commit: the metadata, If-Match on the ETag read (If-None-Match when there was none). A failure that leaves the
   * outcome unknown is settled by reading the metadata back: tried again while it is unchanged, decided as a conflict
   * once it has changed.
   *
   * @return false when another instance committed first; this run's outputs are then removed
   */
  private boolean commit(String pod, MetadataReader.Read r, JobMetadata next, MergeOutcome merge) throws Exception {
    byte[] json = MetadataCodec.write(next);
    for (int round = 1; ; round++) {
      try {
        if (r.etag() == null) {
          store.putBlocking(Keys.metadataKey(pod), json, JSON, b -> b.ifNoneMatch("*"));
        } else {
          store.putBlocking(Keys.metadataKey(pod), json, JSON, b -> b.ifMatch(r.etag()));
        }
        return true;
      } catch (RuntimeException e) {
        if (S3Errors.isPreconditionFailed(e)) break;
        // Anything but an ambiguous failure (a broken connection, a 5xx) proves the write did not land.
        if (!S3Errors.isAmbiguous(e) || round == COMMIT_ROUNDS) throw e;
        // Ambiguous: the write may have landed with only its answer lost. The metadata says which.
        Optional<MetadataReader.Read> now = metadata.read(pod);
        if (now.isEmpty()) throw e;
        if (!Objects.equals(now.get().etag(), r.etag())) break;
        // Unchanged, so it did not land; and if it is still in flight, only one of it and the next try can win
        // the same precondition, both carrying this run's metadata.
        LOG.warn("pod {}: metadata commit failed without a definite answer ({}); the metadata is unchanged, "
            + "trying again", pod, e.toString());
        metrics.commitsRetried.increment();
      }
    }
    // A retried PUT whose first attempt landed also fails its precondition. It landed if the metadata is what this
    // run wrote, or lists this run's files (another instance may have committed on top since, keeping them).
    Optional<MetadataReader.Read> now = metadata.read(pod);
    if (now.isPresent()) {
      Set<String> ours = merge.dataEtags().keySet();
      boolean landed = now.get().metadata().equals(next)
          || now.get().metadata().logFiles().stream().anyMatch(f -> ours.contains(f.key()));
      if (landed) {
        LOG.info("pod {}: commit reported a conflict or no answer, but the metadata holds this run's files: it landed",
            pod);
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

  /** The pod's raw objects; those of every page but the last start to be fetched while the next page is listed. */
  private List<ListedObject> listRaw(String pod, Set<String> skip, EarlyFetches<MergePlan.Raw, Fetched> early) {
    try {
      return store.listBlocking(Keys.rawPodPrefix(pod), page -> early.offer(page.stream()
          .map(o -> MergePlanner.mergeable(pod, ListedObject.of(o), skip)).filter(Objects::nonNull).toList()))
          .stream().map(ListedObject::of).toList();
    } finally {
      early.close();
    }
  }

  /** Fetches on the S3 pool, completing there: the writer waiting for it is woken directly. */
  private CompletableFuture<Fetched> fetchNow(MergePlan.Raw raw) {
    return store.blockingDirect(() -> fetcher.fetch(raw));
  }
}
