package io.logcompactor.layout;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Reads and writes {@code metadata/{pod}.json}, refusing what it cannot safely understand. */
public final class MetadataCodec {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private MetadataCodec() {}

  /** Metadata we must not act on: corrupt, or written by a newer version whose rules we do not know. */
  public static final class UnreadableMetadataException extends Exception {
    public UnreadableMetadataException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static JobMetadata parse(String pod, byte[] json) throws UnreadableMetadataException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UnreadableMetadataException("metadata of pod " + pod + " is not valid JSON: " + e.getMessage(), e);
    }
    if (tree == null || !tree.isObject()) {
      throw new UnreadableMetadataException("metadata of pod " + pod + " is not a JSON object", null);
    }
    JsonNode version = tree.get("version");
    if (version == null || !version.canConvertToInt()) {
      throw new UnreadableMetadataException("metadata of pod " + pod + " has no integer 'version'", null);
    }
    if (version.intValue() > JobMetadata.CURRENT_VERSION) {
      throw new UnreadableMetadataException("metadata of pod " + pod + " has version " + version.intValue()
          + ", newer than this build understands (" + JobMetadata.CURRENT_VERSION + "); leaving the pod alone", null);
    }
    try {
      JobMetadata m = MAPPER.treeToValue(tree, JobMetadata.class);
      if (m.pod() != null && !m.pod().equals(pod)) {
        throw new UnreadableMetadataException("metadata of pod " + pod + " names pod " + m.pod(), null);
      }
      return m;
    } catch (IOException e) {
      throw new UnreadableMetadataException("metadata of pod " + pod + " does not match the schema: " + e.getMessage(), e);
    }
  }

  public static byte[] write(JobMetadata metadata) {
    try {
      return MAPPER.writeValueAsBytes(metadata);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise metadata", e);
    }
  }
}
