package io.logcompactor.read;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A job's state as S3 shows it: the metadata's merged files, the raw objects not merged yet, the cleanup marker. */
public final class JobStatusReader {
  private JobStatusReader() {}

  /** @return the status, or null when the job is unknown (no metadata, no raw object) */
  public static JsonObject read(JobStore store, String pod) {
    JobMetadata metadata = null;
    String metadataError = null;
    try {
      metadata = store.readMetadata(pod).metadata();
    } catch (MetadataCodec.UnreadableMetadataException e) {
      metadataError = e.getMessage();
    }
    List<String> raw = store.listRawKeys(pod);
    if (metadata == null && metadataError == null && raw.isEmpty()) return null;

    Set<String> merged = new HashSet<>();
    JsonObject status = new JsonObject().put("pod", pod);
    if (metadata != null) {
      merged.addAll(metadata.mergedRawKeys());
      Map<String, JsonObject> containers = new LinkedHashMap<>();
      long bytes = 0;
      long rawFiles = 0;
      for (JobMetadata.MergedFile f : metadata.logFiles()) {
        f.sources().forEach(s -> merged.add(s.key()));
        bytes += f.size();
        rawFiles += f.rawFiles();
        JsonObject c = containers.computeIfAbsent(f.containerId(), id -> new JsonObject()
            .put("container", f.container()).put("container_id", id).put("log_files", 0).put("raw_files", 0L)
            .put("bytes", 0L).put("first_raw_minute", f.firstRawMinute()));
        c.put("log_files", c.getInteger("log_files") + 1).put("raw_files", c.getLong("raw_files") + f.rawFiles())
            .put("bytes", c.getLong("bytes") + f.size()).put("last_raw_minute", f.lastRawMinute());
      }
      status.put("merged", new JsonObject().put("log_files", metadata.logFiles().size()).put("raw_files", rawFiles)
              .put("bytes", bytes).put("containers", new JsonArray(List.copyOf(containers.values()))))
          .put("merged_raw_files_not_cleaned", metadata.mergedRawKeys().size())
          .put("rejected_raw_files", metadata.rejectedRawKeys().size())
          .put("last_compaction_time", metadata.lastCompactionTime())
          .put("last_upload_time", metadata.lastUploadTime());
    } else {
      status.put("merged", new JsonObject().put("log_files", 0).put("raw_files", 0).put("bytes", 0)
          .put("containers", new JsonArray()));
    }
    if (metadataError != null) status.put("metadata_error", metadataError);
    status.put("unmerged_raw_files", raw.stream().filter(k -> !merged.contains(k)).count());
    status.put("in_cleanup_queue", store.exists(Keys.cleanupKey(pod)));
    return status;
  }
}
