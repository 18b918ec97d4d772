package io.logcompactor.layout;

/**
 * Every S3 key the service writes, in one place. Prefixes that select one pod end in a delimiter that a pod name
 * cannot contain, so {@code job-1} never selects {@code job-10}.
 */
public final class Keys {
  public static final String RAW_PREFIX = RawKeyParser.RAW_PREFIX;
  public static final String DATA_PREFIX = "data/";
  public static final String METADATA_PREFIX = "metadata/";
  public static final String CLEANUP_PREFIX = "cleanup/";
  public static final String METADATA_SUFFIX = ".json";

  private Keys() {}

  /** All raw files of one pod: the tag continues with {@code _namespace}, and '_' cannot occur in a pod name. */
  public static String rawPodPrefix(String pod) {
    return RAW_PREFIX + requirePod(pod) + "_";
  }

  public static String dataPodPrefix(String pod) {
    return DATA_PREFIX + requirePod(pod) + "/";
  }

  public static String dataKey(String pod, String containerId, String minute, long sequence) {
    return dataPodPrefix(pod) + containerId + "/" + minute + "_" + sequence + ".gz";
  }

  public static String metadataKey(String pod) {
    return METADATA_PREFIX + requirePod(pod) + METADATA_SUFFIX;
  }

  public static String cleanupKey(String pod) {
    return CLEANUP_PREFIX + requirePod(pod);
  }

  /** @return the pod of a {@code cleanup/{pod}} key, or null when the key is not one */
  public static String podOfCleanupKey(String key) {
    if (key == null || !key.startsWith(CLEANUP_PREFIX)) return null;
    String pod = key.substring(CLEANUP_PREFIX.length());
    return Names.isPodName(pod) ? pod : null;
  }

  private static String requirePod(String pod) {
    String problem = Names.podNameProblem(pod);
    if (problem != null) throw new IllegalArgumentException("pod name: " + problem);
    return pod;
  }
}
