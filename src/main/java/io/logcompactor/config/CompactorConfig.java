package io.logcompactor.config;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything the service can be told, read once from environment variables and validated before anything starts.
 * The README's configuration table documents each variable; {@link #VARIABLES} is the list the manifests are checked
 * against.
 */
public record CompactorConfig(
    String bucket,
    Optional<URI> s3Endpoint,
    boolean s3PathStyle,
    String sqsQueueUrl,
    Optional<URI> sqsEndpoint,
    Optional<String> region,
    int mergeThreshold,
    Duration compactionInterval,
    Duration cleanupInterval,
    Duration idleTimeout,
    Duration reconcileInterval,
    int httpPort,
    Optional<String> apiToken,
    int sqsPollers,
    Duration sqsWaitTime,
    Duration sqsVisibilityTimeout,
    long mergedMaxBytes,
    int s3Concurrency,
    Duration orphanSafetyAge,
    Duration shutdownTimeout,
    int readMaxLineBytes,
    boolean streamLargeFiles) {

  public static final String BUCKET = "COMPACTOR_S3_BUCKET";
  public static final String S3_ENDPOINT = "COMPACTOR_S3_ENDPOINT";
  public static final String S3_PATH_STYLE = "COMPACTOR_S3_PATH_STYLE";
  public static final String SQS_QUEUE_URL = "COMPACTOR_SQS_QUEUE_URL";
  public static final String SQS_ENDPOINT = "COMPACTOR_SQS_ENDPOINT";
  public static final String MERGE_THRESHOLD = "COMPACTOR_MERGE_THRESHOLD";
  public static final String COMPACTION_INTERVAL = "COMPACTOR_COMPACTION_INTERVAL";
  public static final String CLEANUP_INTERVAL = "COMPACTOR_CLEANUP_INTERVAL";
  public static final String IDLE_TIMEOUT = "COMPACTOR_IDLE_TIMEOUT";
  public static final String RECONCILE_INTERVAL = "COMPACTOR_RECONCILE_INTERVAL";
  public static final String HTTP_PORT = "COMPACTOR_HTTP_PORT";
  public static final String API_TOKEN = "COMPACTOR_API_TOKEN";
  public static final String SQS_POLLERS = "COMPACTOR_SQS_POLLERS";
  public static final String SQS_WAIT_TIME = "COMPACTOR_SQS_WAIT_TIME";
  public static final String SQS_VISIBILITY_TIMEOUT = "COMPACTOR_SQS_VISIBILITY_TIMEOUT";
  public static final String MERGED_MAX_BYTES = "COMPACTOR_MERGED_MAX_BYTES";
  public static final String S3_CONCURRENCY = "COMPACTOR_S3_CONCURRENCY";
  public static final String ORPHAN_SAFETY_AGE = "COMPACTOR_ORPHAN_SAFETY_AGE";
  public static final String SHUTDOWN_TIMEOUT = "COMPACTOR_SHUTDOWN_TIMEOUT";
  public static final String READ_MAX_LINE_BYTES = "COMPACTOR_READ_MAX_LINE_BYTES";
  public static final String STREAM_LARGE_FILES = "COMPACTOR_STREAM_LARGE_FILES";

  /** Every variable this record reads (AWS_* credentials and region are read by the SDK's default chain). */
  public static final java.util.List<String> VARIABLES = java.util.List.of(
      BUCKET, S3_ENDPOINT, S3_PATH_STYLE, SQS_QUEUE_URL, SQS_ENDPOINT, MERGE_THRESHOLD, COMPACTION_INTERVAL,
      CLEANUP_INTERVAL, IDLE_TIMEOUT, RECONCILE_INTERVAL, HTTP_PORT, API_TOKEN, SQS_POLLERS, SQS_WAIT_TIME,
      SQS_VISIBILITY_TIMEOUT, MERGED_MAX_BYTES, S3_CONCURRENCY, ORPHAN_SAFETY_AGE, SHUTDOWN_TIMEOUT,
      READ_MAX_LINE_BYTES, STREAM_LARGE_FILES);

  /** The variables without which the service refuses to start. */
  public static final java.util.List<String> REQUIRED = java.util.List.of(BUCKET, SQS_QUEUE_URL);

  private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

  public static CompactorConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  /** @throws ConfigException naming the first variable that is missing or malformed */
  public static CompactorConfig fromEnv(Map<String, String> env) {
    Reader r = new Reader(env);
    String bucket = r.required(BUCKET);
    if (!BUCKET_NAME.matcher(bucket).matches()) {
      throw new ConfigException(BUCKET + "='" + bucket + "' is not an S3 bucket name (3-63 lowercase letters, digits, '.', '-')");
    }
    Optional<URI> s3Endpoint = r.uri(S3_ENDPOINT);
    String queueUrl = r.required(SQS_QUEUE_URL);
    URI queue = r.parseUri(SQS_QUEUE_URL, queueUrl);
    if (queue.getScheme() == null || queue.getHost() == null) {
      throw new ConfigException(SQS_QUEUE_URL + "='" + queueUrl + "' is not a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)");
    }
    Optional<String> region = Optional.ofNullable(r.value("AWS_REGION")).or(() -> Optional.ofNullable(r.value("AWS_DEFAULT_REGION")));
    CompactorConfig c = new CompactorConfig(
        bucket,
        s3Endpoint,
        r.bool(S3_PATH_STYLE, false),
        queueUrl,
        r.uri(SQS_ENDPOINT),
        region,
        r.integer(MERGE_THRESHOLD, 60, 1, 1_000_000),
        r.duration(COMPACTION_INTERVAL, "1h", Duration.ofSeconds(1)),
        r.duration(CLEANUP_INTERVAL, "1h", Duration.ofSeconds(1)),
        r.duration(IDLE_TIMEOUT, "1h", Duration.ofSeconds(1)),
        r.duration(RECONCILE_INTERVAL, "15m", Duration.ofSeconds(1)),
        r.integer(HTTP_PORT, 8080, 0, 65535),
        Optional.ofNullable(r.value(API_TOKEN)),
        r.integer(SQS_POLLERS, 2, 1, 64),
        r.duration(SQS_WAIT_TIME, "20s", Duration.ZERO),
        r.duration(SQS_VISIBILITY_TIMEOUT, "5m", Duration.ofSeconds(10)),
        r.size(MERGED_MAX_BYTES, 64L << 20, 1L << 20),
        r.integer(S3_CONCURRENCY, 32, 1, 512),
        r.duration(ORPHAN_SAFETY_AGE, "1h", Duration.ZERO),
        r.duration(SHUTDOWN_TIMEOUT, "60s", Duration.ZERO),
        (int) r.size(READ_MAX_LINE_BYTES, 16L << 20, 1024),
        r.bool(STREAM_LARGE_FILES, true));
    if (c.sqsWaitTime().compareTo(Duration.ofSeconds(20)) > 0) {
      throw new ConfigException(SQS_WAIT_TIME + " must be at most 20s (the SQS long-poll limit)");
    }
    if (c.sqsVisibilityTimeout().compareTo(Duration.ofHours(12)) > 0) {
      throw new ConfigException(SQS_VISIBILITY_TIMEOUT + " must be at most 12h (the SQS limit)");
    }
    return c;
  }

  /** The region the SDK clients use: the environment's, else us-east-1 when an explicit endpoint makes it moot. */
  public Optional<String> effectiveRegion() {
    if (region.isPresent()) return region;
    if (s3Endpoint.isPresent() || sqsEndpoint.isPresent()) return Optional.of("us-east-1");
    return Optional.empty();
  }

  /** A copy with other values, for tests and local mode. */
  public CompactorConfig with(Map<String, String> overrides, Map<String, String> base) {
    java.util.HashMap<String, String> env = new java.util.HashMap<>(base);
    env.putAll(overrides);
    return fromEnv(env);
  }

  @Override
  public String toString() {
    // The token is a secret: never log it.
    return "CompactorConfig[bucket=" + bucket + ", s3Endpoint=" + s3Endpoint.map(URI::toString).orElse("aws")
        + ", sqsQueueUrl=" + sqsQueueUrl + ", mergeThreshold=" + mergeThreshold
        + ", compactionInterval=" + Durations.format(compactionInterval)
        + ", cleanupInterval=" + Durations.format(cleanupInterval) + ", idleTimeout=" + Durations.format(idleTimeout)
        + ", reconcileInterval=" + Durations.format(reconcileInterval) + ", httpPort=" + httpPort
        + ", apiToken=" + (apiToken.isPresent() ? "set" : "unset") + ", sqsPollers=" + sqsPollers
        + ", mergedMaxBytes=" + mergedMaxBytes + ", s3Concurrency=" + s3Concurrency
        + ", streamLargeFiles=" + streamLargeFiles + "]";
  }

  private static final class Reader {
    private final Map<String, String> env;

    Reader(Map<String, String> env) {
      this.env = env;
    }

    String value(String name) {
      String v = env.get(name);
      return v == null || v.isBlank() ? null : v.trim();
    }

    String required(String name) {
      String v = value(name);
      if (v == null) throw new ConfigException(name + " is required but not set");
      return v;
    }

    boolean bool(String name, boolean def) {
      String v = value(name);
      if (v == null) return def;
      return switch (v.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "1" -> true;
        case "false", "no", "0" -> false;
        default -> throw new ConfigException(name + "='" + v + "' is not a boolean; expected true or false");
      };
    }

    int integer(String name, int def, int min, int max) {
      String v = value(name);
      if (v == null) return def;
      try {
        int n = Integer.parseInt(v);
        if (n < min || n > max) throw new NumberFormatException();
        return n;
      } catch (NumberFormatException e) {
        throw new ConfigException(name + "='" + v + "' is not a whole number from " + min + " to " + max);
      }
    }

    Duration duration(String name, String def, Duration min) {
      String v = value(name);
      Duration d;
      try {
        d = Durations.parse(v == null ? def : v);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name + ": " + e.getMessage());
      }
      if (d.compareTo(min) < 0) {
        throw new ConfigException(name + "='" + v + "' is too short; the minimum is " + Durations.format(min));
      }
      return d;
    }

    long size(String name, long def, long min) {
      String v = value(name);
      if (v == null) return def;
      Matcher m = SIZE.matcher(v.toLowerCase(Locale.ROOT));
      long n;
      try {
        if (!m.matches()) throw new NumberFormatException();
        n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        n = Math.multiplyExact(n, switch (unit) {
          case "k", "kb", "kib" -> 1L << 10;
          case "m", "mb", "mib" -> 1L << 20;
          case "g", "gb", "gib" -> 1L << 30;
          default -> 1L;
        });
      } catch (NumberFormatException | ArithmeticException e) {
        throw new ConfigException(name + "='" + v + "' is not a size; expected bytes or a number with KiB, MiB or GiB");
      }
      if (n < min || n > Integer.MAX_VALUE * 16L) {
        throw new ConfigException(name + "='" + v + "' is out of range; the minimum is " + min + " bytes");
      }
      return n;
    }

    Optional<URI> uri(String name) {
      String v = value(name);
      if (v == null) return Optional.empty();
      URI u = parseUri(name, v);
      if (u.getScheme() == null || u.getHost() == null) {
        throw new ConfigException(name + "='" + v + "' is not an absolute URL (http://host:port)");
      }
      return Optional.of(u);
    }

    URI parseUri(String name, String v) {
      try {
        return new URI(v);
      } catch (java.net.URISyntaxException e) {
        throw new ConfigException(name + "='" + v + "' is not a URL: " + e.getReason());
      }
    }
  }
}
