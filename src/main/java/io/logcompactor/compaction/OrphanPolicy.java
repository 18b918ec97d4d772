package io.logcompactor.compaction;

import io.logcompactor.layout.JobMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which {@code data/} objects of a pod are orphans (written by a run that crashed or lost its commit) and may be
 * deleted: not referenced by the metadata, and older than the safety age A.
 *
 * <p>Why no referenced object is ever deleted, with any number of instances: a run W completes its uploads and
 * commits only while younger than A/2 ({@link #mayCommit}), and each object it writes is stamped after W started; so
 * an object X stamped before {@code listedAt - A} was committed, if ever, before {@code listedAt - A/2}. This run
 * read the metadata after that instant (otherwise it deletes nothing), and log files are only ever appended, so the
 * metadata it read lists X. Clock skew between instances and S3 must be small against A/2. A zero safety age turns
 * both checks off: only for a single instance.
 */
final class OrphanPolicy {
  private OrphanPolicy() {}

  static List<ListedObject> select(JobMetadata metadata, List<ListedObject> dataListing, Instant metadataReadAt,
                                   Instant listedAt, Duration safetyAge) {
    boolean guarded = !safetyAge.isZero();
    if (guarded && Duration.between(metadataReadAt, listedAt).compareTo(safetyAge.dividedBy(2)) > 0) return List.of();
    Set<String> referenced = new HashSet<>();
    for (JobMetadata.MergedFile f : metadata.logFiles()) referenced.add(f.key());
    Instant cutoff = listedAt.minus(safetyAge);
    List<ListedObject> orphans = new ArrayList<>();
    for (ListedObject o : dataListing) {
      if (referenced.contains(o.key())) continue;
      if (guarded && (o.lastModified() == null || !o.lastModified().isBefore(cutoff))) continue;
      orphans.add(o);
    }
    return orphans;
  }

  /** A run that started at {@code runStart} may still complete uploads and commit at {@code now}. */
  static boolean mayCommit(Instant runStart, Instant now, Duration safetyAge) {
    return safetyAge.isZero() || Duration.between(runStart, now).compareTo(safetyAge.dividedBy(2)) < 0;
  }
}
