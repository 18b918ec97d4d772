package io.logcompactor.tracking;

import java.util.Locale;

/** Why the tracker asks for a merge: the {@code cause} of a {@code MERGE_POD} request. */
public enum MergeCause {
  /** The pod reached the merge threshold. */
  THRESHOLD,
  /** The compaction interval passed with raw files pending. */
  TIMER,
  /** A bucket listing found the pod at or over the threshold. */
  RECONCILE;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
