package io.logcompactor.soak;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Checks the bucket itself against the ledger, independently of the reader: every uploaded raw object is in exactly
 * one place, as the metadata describes it.
 * <ul>
 *   <li>a raw key no longer in the bucket must be a source of exactly one merged file (else it was deleted unmerged);
 *   <li>a raw key that is a source of a merged file and still in the bucket must be listed as merged (else a reader
 *       would serve it twice);
 *   <li>no raw key is a source of two merged files (a merge committed twice);
 *   <li>a raw key listed as merged is a source of a merged file;
 *   <li>every merged file the metadata lists exists, with the size it records.
 * </ul>
 */
public final class BucketAudit {

  /** What the audit found; {@code problems} is empty when the bucket is consistent. */
  public record Report(int pods, int rawUploaded, int rawRemaining, int rawMerged, int mergedFiles,
                       List<String> problems) {
    public boolean clean() {
      return problems.isEmpty();
    }

    @Override
    public String toString() {
      return "BucketAudit[pods=" + pods + ", raw uploaded=" + rawUploaded + ", raw remaining=" + rawRemaining
          + ", raw merged=" + rawMerged + ", merged files=" + mergedFiles + ", problems=" + problems.size()
          + (problems.isEmpty() ? "" : " e.g. " + problems.subList(0, Math.min(10, problems.size()))) + "]";
    }
  }

  private BucketAudit() {}

  public static Report audit(S3Client s3, String bucket, UploadLedger ledger) {
    Map<String, Long> objects = new HashMap<>();
    for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) objects.put(o.key(), o.size());
    List<String> problems = new ArrayList<>();
    int uploaded = 0;
    int remaining = 0;
    int merged = 0;
    int mergedFiles = 0;
    for (String pod : ledger.pods()) {
      JobMetadata meta = metadata(s3, bucket, pod, problems);
      Map<String, Integer> sources = new HashMap<>();
      for (JobMetadata.MergedFile f : meta.logFiles()) {
        mergedFiles++;
        Long size = objects.get(f.key());
        if (size == null) {
          problems.add(pod + ": merged file " + f.key() + " is listed but missing");
        } else if (size != f.size()) {
          problems.add(pod + ": merged file " + f.key() + " has " + size + " bytes, metadata says " + f.size());
        }
        for (JobMetadata.Source s : f.sources()) sources.merge(s.key(), 1, Integer::sum);
      }
      Set<String> listedMerged = new HashSet<>(meta.mergedRawKeys());
      for (UploadLedger.Upload u : ledger.uploads(pod)) {
        uploaded++;
        String key = u.rawKey();
        boolean exists = objects.containsKey(key);
        int in = sources.getOrDefault(key, 0);
        if (exists) remaining++;
        if (in > 0) merged++;
        if (in > 1) problems.add(pod + ": " + key + " is a source of " + in + " merged files (merge committed twice)");
        if (!exists && in == 0) problems.add(pod + ": " + key + " was deleted but is in no merged file (lost)");
        if (exists && in > 0 && !listedMerged.contains(key)) {
          problems.add(pod + ": " + key + " is merged and still present but not listed as merged (served twice)");
        }
        if (listedMerged.contains(key) && in == 0) {
          problems.add(pod + ": " + key + " is listed as merged but is in no merged file");
        }
      }
    }
    return new Report(ledger.pods().size(), uploaded, remaining, merged, mergedFiles, problems);
  }

  /** Raw objects of the ledger's pods still in the bucket. */
  public static List<String> rawKeysLeft(S3Client s3, String bucket, UploadLedger ledger) {
    List<String> out = new ArrayList<>();
    for (String pod : ledger.pods()) {
      s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(Keys.rawPodPrefix(pod))).contents()
          .forEach(o -> out.add(o.key()));
    }
    return out;
  }

  /** Per pod with raw files left: how many, how many the metadata lists as merged, and whether it is queued. */
  public static String leftovers(S3Client s3, String bucket, UploadLedger ledger) {
    List<String> markers = cleanupMarkers(s3, bucket);
    StringBuilder sb = new StringBuilder();
    for (String pod : ledger.pods()) {
      List<String> left = new ArrayList<>();
      s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(Keys.rawPodPrefix(pod))).contents()
          .forEach(o -> left.add(o.key()));
      if (left.isEmpty()) continue;
      JobMetadata m = metadata(s3, bucket, pod, new ArrayList<>());
      Set<String> listed = new HashSet<>(m.mergedRawKeys());
      long merged = left.stream().filter(listed::contains).count();
      sb.append("\n  pod ").append(pod).append(": ").append(left.size()).append(" raw files left, ").append(merged)
          .append(" of them listed as merged, ").append(m.rejectedRawKeys().size()).append(" rejected, cleanup marker ")
          .append(markers.contains(Keys.cleanupKey(pod)) ? "present" : "absent").append(", last compaction ")
          .append(m.lastCompactionTime());
    }
    return sb.toString();
  }

  /** {@code cleanup/} markers: pods still waiting for their final cleanup. */
  public static List<String> cleanupMarkers(S3Client s3, String bucket) {
    List<String> out = new ArrayList<>();
    s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(Keys.CLEANUP_PREFIX)).contents().forEach(o -> out.add(o.key()));
    return out;
  }

  private static JobMetadata metadata(S3Client s3, String bucket, String pod, List<String> problems) {
    try {
      byte[] json = s3.getObjectAsBytes(b -> b.bucket(bucket).key(Keys.metadataKey(pod))).asByteArray();
      return MetadataCodec.parse(pod, json);
    } catch (NoSuchKeyException e) {
      return JobMetadata.empty(pod);
    } catch (MetadataCodec.UnreadableMetadataException e) {
      problems.add(pod + ": " + e.getMessage());
      return JobMetadata.empty(pod);
    }
  }
}
