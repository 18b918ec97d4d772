package io.logcompactor.local;

import io.logcompactor.Service;
import io.logcompactor.config.CompactorConfig;
import io.logcompactor.config.ConfigException;
import io.logcompactor.config.Durations;
import io.logcompactor.layout.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code make run} runs, in one process: S3Proxy (filesystem store, kept across restarts) and ElasticMQ
 * (queue + dead-letter queue, in memory) with the notification bridge, the service with short intervals, and the demo
 * producer. {@link LocalMain} runs one until Ctrl-C; {@code LocalModeIT} runs them on free ports and a temp folder.
 */
public final class LocalMode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalMode.class);

  public static final String BUCKET = "job-logs";
  public static final String QUEUE = "log-compactor-events";
  /** As the deployment's queue: a message received this often without being deleted goes to the dead-letter queue. */
  public static final int MAX_RECEIVE_COUNT = 5;
  public static final int VISIBILITY_SECONDS = 30;

  /** Short intervals, so that merges and cleanups happen while you watch; any COMPACTOR_* variable overrides them. */
  static final Map<String, String> SERVICE_DEFAULTS = Map.of(
      CompactorConfig.HTTP_PORT, "8080",
      CompactorConfig.MERGE_THRESHOLD, "20",
      CompactorConfig.COMPACTION_INTERVAL, "2m",
      CompactorConfig.CLEANUP_INTERVAL, "2m",
      CompactorConfig.IDLE_TIMEOUT, "5m",
      CompactorConfig.RECONCILE_INTERVAL, "2m",
      CompactorConfig.ORPHAN_SAFETY_AGE, "10m",
      CompactorConfig.SQS_WAIT_TIME, "5s",
      CompactorConfig.SHUTDOWN_TIMEOUT, "15s");

  /** Local mode wires these itself: the embedded servers' endpoints, bucket and queue. */
  static final Set<String> WIRED = Set.of(CompactorConfig.BUCKET, CompactorConfig.S3_ENDPOINT,
      CompactorConfig.S3_PATH_STYLE, CompactorConfig.SQS_QUEUE_URL, CompactorConfig.SQS_ENDPOINT);

  /**
   * What local mode is told.
   *
   * @param dataDir         S3Proxy's filesystem store
   * @param s3Port          0 for a free port
   * @param sqsPort         0 for a free port
   * @param serviceEnv      COMPACTOR_* variables over {@link #SERVICE_DEFAULTS}
   * @param demoInterval    time between two rounds of demo uploads; zero turns the demo producer off
   * @param demoJobs        demo jobs running at once
   */
  public record Settings(Path dataDir, int s3Port, int sqsPort, Map<String, String> serviceEnv, Duration demoInterval,
                         int demoJobs) {
    public static final String DATA_DIR = "LOCAL_DATA_DIR";
    public static final String S3_PORT = "LOCAL_S3_PORT";
    public static final String SQS_PORT = "LOCAL_SQS_PORT";
    public static final String DEMO_INTERVAL = "LOCAL_DEMO_INTERVAL";
    public static final String DEMO_JOBS = "LOCAL_DEMO_JOBS";

    /** @throws ConfigException naming the variable that is malformed */
    public static Settings fromEnv(Map<String, String> env) {
      Map<String, String> service = new HashMap<>(SERVICE_DEFAULTS);
      env.forEach((k, v) -> {
        if (!k.startsWith("COMPACTOR_")) return;
        if (WIRED.contains(k)) {
          LOG.warn("{} is ignored in local mode: it runs its own S3 and SQS", k);
        } else {
          service.put(k, v);
        }
      });
      return new Settings(Path.of(env.getOrDefault(DATA_DIR, ".local/s3")), port(env, S3_PORT, 9090),
          port(env, SQS_PORT, 9324), Map.copyOf(service), duration(env, DEMO_INTERVAL, "5s"),
          number(env, DEMO_JOBS, 3, 1, 20));
    }

    private static int port(Map<String, String> env, String name, int def) {
      return number(env, name, def, 0, 65535);
    }

    private static int number(Map<String, String> env, String name, int def, int min, int max) {
      String v = env.get(name);
      if (v == null || v.isBlank()) return def;
      try {
        int n = Integer.parseInt(v.trim());
        if (n >= min && n <= max) return n;
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new ConfigException(name + "='" + v + "' is not a whole number from " + min + " to " + max);
    }

    private static Duration duration(Map<String, String> env, String name, String def) {
      String v = env.get(name);
      try {
        return Durations.parse(v == null || v.isBlank() ? def : v);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name + ": " + e.getMessage());
      }
    }
  }

  private final Settings settings;
  private final LocalServers servers;
  private final LocalServers.Environment environment;
  private final Service service;
  private final DemoProducer producer;

  private LocalMode(Settings settings, LocalServers servers, LocalServers.Environment environment, Service service,
                    DemoProducer producer) {
    this.settings = settings;
    this.servers = servers;
    this.environment = environment;
    this.service = service;
    this.producer = producer;
  }

  /** Starts everything, or stops again what had started and throws: a failed start leaves nothing running. */
  public static LocalMode start(Settings settings) throws Exception {
    LocalServers servers = LocalServers.start(settings.dataDir(), settings.s3Port(), settings.sqsPort());
    Service service = null;
    try {
      LocalServers.Environment env = servers.environment(BUCKET, QUEUE, VISIBILITY_SECONDS, MAX_RECEIVE_COUNT,
          KeyFilter.prefix(Keys.RAW_PREFIX));
      CompactorConfig config = env.config(settings.serviceEnv());
      service = Service.start(config);
      DemoProducer producer = null;
      if (!settings.demoInterval().isZero()) {
        DemoScript script = new DemoScript(Long.toString(System.currentTimeMillis(), 36), settings.demoJobs());
        producer = new DemoProducer(servers.s3(), BUCKET, script, settings.demoInterval()).start();
      }
      return new LocalMode(settings, servers, env, service, producer);
    } catch (Exception | Error e) {
      if (service != null) service.stop().await(30, TimeUnit.SECONDS);
      servers.close();
      throw e;
    }
  }

  /** Stops the producer, then the service (in-flight work gets its shutdown timeout), then the servers. */
  @Override
  public void close() throws Exception {
    Exception failure = null;
    if (producer != null) {
      try {
        producer.close();
      } catch (Exception e) {
        failure = e;
      }
    }
    try {
      long wait = service.config().shutdownTimeout().plusSeconds(5).toMillis();
      service.stop().await(wait, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (failure == null) failure = e; else failure.addSuppressed(e);
    }
    try {
      servers.close();
    } catch (Exception e) {
      if (failure == null) failure = e; else failure.addSuppressed(e);
    }
    if (failure != null) throw failure;
  }

  public LocalServers servers() {
    return servers;
  }

  public LocalServers.Environment environment() {
    return environment;
  }

  public Service service() {
    return service;
  }

  /** The demo producer, or null when it is turned off. */
  public DemoProducer producer() {
    return producer;
  }

  /** Endpoints, credentials and commands to try, for the console. */
  public String banner() {
    String http = "http://localhost:" + service.httpPort();
    String s3 = servers.s3Endpoint().toString();
    String sqs = servers.sqsEndpoint().toString();
    CompactorConfig c = service.config();
    List<String> pods = producer == null ? List.of() : producer.script().runningPods();
    String pod = pods.isEmpty() ? "<pod>" : pods.get(0);
    Map<String, String> lines = new LinkedHashMap<>();
    lines.put("service", http + "   (/health, /ready, /metrics, /api/v1/jobs)");
    lines.put("S3", s3 + "   bucket " + BUCKET + "   (S3Proxy; objects kept in "
        + settings.dataDir().toAbsolutePath().normalize() + ")");
    lines.put("SQS", sqs + "   queue " + environment.queueUrl() + "   (ElasticMQ, in memory: empty after a restart;"
        + " the service's reconcile re-finds raw objects)");
    lines.put("DLQ", environment.dlqUrl() + "   (after " + MAX_RECEIVE_COUNT + " receives)");
    lines.put("credentials", "AWS_ACCESS_KEY_ID=" + LocalServers.ACCESS_KEY + " AWS_SECRET_ACCESS_KEY="
        + LocalServers.SECRET_KEY + " AWS_REGION=" + LocalServers.REGION);
    lines.put("intervals", "merge at " + c.mergeThreshold() + " raw files, compaction every "
        + Durations.format(c.compactionInterval()) + ", cleanup every " + Durations.format(c.cleanupInterval())
        + ", idle after " + Durations.format(c.idleTimeout()));
    lines.put("demo", producer == null ? "off" : settings.demoJobs() + " jobs in namespace demo, one object per "
        + "running container every " + Durations.format(settings.demoInterval()) + "; running now: " + pods);
    StringBuilder b = new StringBuilder("\nlog-compactor local mode is up. Ctrl-C stops everything.\n\n");
    lines.forEach((k, v) -> b.append(String.format("  %-12s %s%n", k, v)));
    b.append("\nTry:\n");
    b.append("  curl -s ").append(http).append("/health\n");
    b.append("  curl -s ").append(http).append("/ready\n");
    b.append("  curl -s ").append(http).append("/metrics | grep '^compactor_'\n");
    b.append("  curl -s ").append(http).append("/api/v1/jobs\n");
    b.append("  curl -s ").append(http).append("/api/v1/jobs/").append(pod).append("/log\n");
    b.append("  export AWS_ACCESS_KEY_ID=").append(LocalServers.ACCESS_KEY).append(" AWS_SECRET_ACCESS_KEY=")
        .append(LocalServers.SECRET_KEY).append(" AWS_REGION=").append(LocalServers.REGION)
        .append(" AWS_DEFAULT_REGION=").append(LocalServers.REGION).append("   # AWS CLI v1 reads the latter\n");
    b.append("  aws --endpoint-url ").append(s3).append(" s3 ls s3://").append(BUCKET).append("/ --recursive\n");
    b.append("  aws --endpoint-url ").append(s3).append(" s3 cp s3://").append(BUCKET).append("/metadata/")
        .append(pod).append(".json -\n");
    b.append("  aws --endpoint-url ").append(sqs).append(" sqs get-queue-attributes --queue-url ")
        .append(environment.queueUrl()).append(" --attribute-names All\n");
    return b.toString();
  }
}
