package io.logcompactor.compaction;

import java.util.List;

/**
 * What the clean phase did with the raw keys the metadata listed as merged.
 *
 * @param deleted keys now gone (deleted, or already missing)
 * @param changed keys whose object was replaced after the merge (ETag differs): left in place, to be merged again
 * @param kept    keys whose delete failed: still merged, deleted by a later run
 */
public record CleanOutcome(List<String> deleted, List<String> changed, List<String> kept) {
  public CleanOutcome {
    deleted = List.copyOf(deleted);
    changed = List.copyOf(changed);
    kept = List.copyOf(kept);
  }

  public static final CleanOutcome NOTHING = new CleanOutcome(List.of(), List.of(), List.of());

  /** The metadata must be rewritten to record this. */
  public boolean changedMetadata() {
    return !deleted.isEmpty() || !changed.isEmpty();
  }
}
