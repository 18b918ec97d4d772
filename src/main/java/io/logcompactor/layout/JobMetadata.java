package io.logcompactor.layout;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * {@code metadata/{pod}.json}: the commit record of a pod's compaction. Written only with If-Match on the ETag that
 * was read (or If-None-Match for the first one), so two instances can never both commit. Field names are a
 * documented contract (README, "Metadata"); add fields, never rename them.
 *
 * @param version          schema version; a reader or compactor that finds a newer one leaves the pod alone
 * @param pod              the pod name
 * @param logFiles         merged files in commit order
 * @param mergedRawKeys    raw keys whose content is in {@code logFiles} but which are not deleted yet; readers skip
 *                         them, the next clean phase deletes them
 * @param rejectedRawKeys  raw objects that could not be merged (corrupt gzip); left in place, read as best we can
 * @param lastCompactionTime RFC 3339 time of the last commit
 * @param lastUploadTime   RFC 3339 time of the newest raw object seen (its Last-Modified)
 * @param mergedRawEtags   ETag of each key in {@code mergedRawKeys} as it was merged: the clean phase deletes a key
 *                         only while its ETag is unchanged, so a raw key uploaded again with new content after the
 *                         merge is merged again, never deleted unmerged
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobMetadata(
    int version,
    String pod,
    List<MergedFile> logFiles,
    List<String> mergedRawKeys,
    List<RejectedRaw> rejectedRawKeys,
    String lastCompactionTime,
    String lastUploadTime,
    Map<String, String> mergedRawEtags) {

  public static final int CURRENT_VERSION = 1;

  @com.fasterxml.jackson.annotation.JsonCreator
  public JobMetadata {
    logFiles = logFiles == null ? List.of() : List.copyOf(logFiles);
    mergedRawKeys = mergedRawKeys == null ? List.of() : List.copyOf(mergedRawKeys);
    rejectedRawKeys = rejectedRawKeys == null ? List.of() : List.copyOf(rejectedRawKeys);
    mergedRawEtags = mergedRawEtags == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new java.util.TreeMap<>(mergedRawEtags));
  }

  /** The fields of the first schema, without ETags for the merged raw keys. */
  public JobMetadata(int version, String pod, List<MergedFile> logFiles, List<String> mergedRawKeys,
                     List<RejectedRaw> rejectedRawKeys, String lastCompactionTime, String lastUploadTime) {
    this(version, pod, logFiles, mergedRawKeys, rejectedRawKeys, lastCompactionTime, lastUploadTime, null);
  }

  public static JobMetadata empty(String pod) {
    return new JobMetadata(CURRENT_VERSION, pod, List.of(), List.of(), List.of(), null, null, null);
  }

  /**
   * One merged object {@code data/{pod}/{container_id}/{minute}_{sequence}.gz}: the raw objects' gzip members
   * concatenated in (minute, index) order.
   *
   * @param rawFiles       how many raw objects it holds
   * @param size           its size in bytes
   * @param sources        each raw object's byte range in it, in order, so a reader can resume mid-file
   * @param firstRawMinute minute of its first raw object
   * @param lastRawMinute  minute of its last raw object
   * @param createdAt      RFC 3339 time it was written
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record MergedFile(
      String key,
      String containerId,
      String container,
      String namespace,
      int rawFiles,
      long size,
      String firstRawMinute,
      String lastRawMinute,
      List<Source> sources,
      String createdAt) {
    public MergedFile {
      sources = sources == null ? List.of() : List.copyOf(sources);
    }
  }

  /** A raw object's place inside a merged object: bytes [offset, offset + length). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Source(String key, long offset, long length) {}

  /** A raw object left unmerged, and why. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RejectedRaw(String key, String reason, String rejectedAt) {}
}
