package io.logcompactor.compaction;

import io.logcompactor.layout.JobMetadata;
import io.logcompactor.layout.RawKey;
import java.time.Instant;
import java.util.List;

/**
 * What one run will merge: per container, raw objects in upload order cut into outputs of at most the configured
 * size; plus keys under the pod's prefix that are not raw keys at all.
 *
 * @param outputs      merged files to write, in order
 * @param badKeys      keys that do not parse as raw keys: never merged, never deleted, reported once
 * @param newestUpload newest Last-Modified among all listed raw objects, or null when there are none
 */
public record MergePlan(List<Output> outputs, List<JobMetadata.RejectedRaw> badKeys, Instant newestUpload) {
  public MergePlan {
    outputs = List.copyOf(outputs);
    badKeys = List.copyOf(badKeys);
  }

  public int rawCount() {
    return outputs.stream().mapToInt(o -> o.raws().size()).sum();
  }

  /** One merged file to write: raw objects of one container, in order. */
  public record Output(String containerId, String container, String namespace, List<Raw> raws) {
    public Output {
      raws = List.copyOf(raws);
    }

    public long listedBytes() {
      return raws.stream().mapToLong(r -> r.object().size()).sum();
    }
  }

  /** A raw object to merge: its parsed key and its listing entry. */
  public record Raw(RawKey rawKey, ListedObject object) {
    public String key() {
      return object.key();
    }
  }
}
