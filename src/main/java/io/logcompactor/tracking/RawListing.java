package io.logcompactor.tracking;

import java.util.Map;
import java.util.Set;

/**
 * What a reconcile found in the bucket.
 *
 * @param pods        pods with raw objects whose metadata could be read (or has none yet)
 * @param unreadable  pods whose metadata could not be read: left as they are until a later reconcile
 * @param rawObjects  objects listed under the raw prefix
 * @param foreignKeys objects under the raw prefix that are not raw keys
 */
record RawListing(Map<String, PodListing> pods, Set<String> unreadable, int rawObjects, int foreignKeys) {}
