package io.logcompactor.local;

import io.logcompactor.aws.AwsClients;
import io.logcompactor.config.CompactorConfig;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.FilterRule;
import software.amazon.awssdk.services.s3.model.FilterRuleName;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Real S3 and SQS servers for tests and local mode. By default S3Proxy and ElasticMQ run in this JVM on 127.0.0.1,
 * with the notification bridge between them; with {@code -Plocalstack} the tests run against LocalStack in Docker
 * instead, where each environment gets a real bucket notification. Tests get one per JVM from
 * {@link LocalServersExtension} and an isolated bucket + queue each from {@link #newEnvironment}; local mode runs one
 * with a filesystem store.
 */
public final class LocalServers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalServers.class);
  public static final String ACCESS_KEY = "local-access-key";
  public static final String SECRET_KEY = "local-secret-key";
  public static final String REGION = "us-east-1";
  public static final String ACCOUNT = "000000000000";

  /** System property that picks the servers the integration tests use: {@code embedded} (default) or {@code localstack}. */
  public static final String BACKEND_PROPERTY = "logcompactor.test.servers";
  private static final String LOCALSTACK_BACKEND = "io.logcompactor.local.LocalStackBackend";

  private final ServerBackend backend;
  private final S3Client s3;
  private final SqsClient sqs;
  private final AtomicInteger environments = new AtomicInteger();

  /**
   * In-process S3Proxy + ElasticMQ + the notification bridge.
   *
   * @param storeDir where S3Proxy keeps objects (kept across restarts), or null for an in-memory store
   * @param s3Port   0 for a free port
   * @param sqsPort  0 for a free port
   */
  public static LocalServers start(Path storeDir, int s3Port, int sqsPort) throws Exception {
    return new LocalServers(new EmbeddedBackend(storeDir, s3Port == 0 ? freePort() : s3Port,
        sqsPort == 0 ? freePort() : sqsPort));
  }

  /** The servers {@link #BACKEND_PROPERTY} asks for, as the test extension starts them. */
  public static LocalServers forTests() throws Exception {
    String backend = System.getProperty(BACKEND_PROPERTY, "embedded");
    return switch (backend) {
      case "embedded" -> start(null, 0, 0);
      case "localstack" -> new LocalServers(localStack());
      default -> throw new IllegalArgumentException(BACKEND_PROPERTY + "='" + backend + "': expected embedded or localstack");
    };
  }

  /** Loaded by name: the LocalStack backend and Testcontainers are on the classpath only with {@code -Plocalstack}. */
  private static ServerBackend localStack() throws Exception {
    Class<?> type;
    try {
      type = Class.forName(LOCALSTACK_BACKEND);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(BACKEND_PROPERTY + "=localstack needs the Maven profile: mvn verify -Plocalstack", e);
    }
    try {
      return (ServerBackend) type.getDeclaredConstructor().newInstance();
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private LocalServers(ServerBackend backend) {
    this.backend = backend;
    // In-process services find these through the SDK's default chain, as a deployed service finds its own.
    System.setProperty("aws.region", REGION);
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
    sqs = SqsClient.builder().endpointOverride(backend.sqsEndpoint()).region(Region.of(REGION))
        .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    // As many attempts as the service's client: a PUT answered before its body was read (a failed precondition, a
    // streamed body cut off) can leave every connection the JDK keeps for the host dead, and the tests' uploads
    // failed on them (BadInputIT, 2026-12-03: four attempts, four dead connections).
    s3 = S3Client.builder().endpointOverride(backend.s3Endpoint()).region(Region.of(REGION))
        .credentialsProvider(credentials()).forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(AwsClients.s3RetryStrategy()))
        .build();
    LOG.info("local servers: {}", backend.describe());
  }

  public static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /** A bucket and queue (with a dead-letter queue) of their own, for one test. */
  public Environment newEnvironment(String name) {
    return newEnvironment(name, 30, 5, KeyFilter.all());
  }

  /**
   * @param visibilitySeconds the queue's visibility timeout
   * @param maxReceiveCount   receives before SQS moves a message to the dead-letter queue
   * @param notifyFilter      keys the bucket notification is configured for; under LocalStack it must be a
   *                          {@link KeyFilter}, the only filter S3 itself has
   */
  public Environment newEnvironment(String name, int visibilitySeconds, int maxReceiveCount,
                                    Predicate<String> notifyFilter) {
    String base = name + "-" + environments.incrementAndGet();
    return environment(base.toLowerCase(), base + "-events", visibilitySeconds, maxReceiveCount, notifyFilter);
  }

  /**
   * A bucket and queue with exactly these names, made if missing and re-used if present (local mode keeps its
   * bucket across restarts). The dead-letter queue is {@code queueName + "-dlq"}.
   */
  public Environment environment(String bucket, String queueName, int visibilitySeconds, int maxReceiveCount,
                                 Predicate<String> notifyFilter) {
    createBucketIfMissing(bucket);
    String dlqUrl = sqs.createQueue(b -> b.queueName(queueName + "-dlq")).queueUrl();
    String queueUrl = sqs.createQueue(b -> b.queueName(queueName).attributes(Map.of(
        QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilitySeconds),
        QueueAttributeName.REDRIVE_POLICY,
        "{\"deadLetterTargetArn\":\"" + queueArn(dlqUrl) + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}")))
        .queueUrl();
    NotificationBridge bridge = backend.bridge();
    if (bridge != null) {
      bridge.route(bucket, new NotificationBridge.Target(queueUrl, notifyFilter));
    } else {
      configureBucketNotification(bucket, queueArn(queueUrl), notifyFilter);
    }
    return new Environment(this, bucket, queueUrl, dlqUrl);
  }

  private void createBucketIfMissing(String bucket) {
    if (s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket))) return;
    try {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      if (e.statusCode() != 409) throw e; // 409: made meanwhile, by us: re-use it
    }
  }

  private String queueArn(String queueUrl) {
    return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes().get(QueueAttributeName.QUEUE_ARN);
  }

  /**
   * What the real deployment configures: ObjectCreated events for the filter's keys to the queue. Destination
   * validation is skipped so that S3 sends no {@code s3:TestEvent}: each test's queue starts empty, as with the bridge.
   */
  private void configureBucketNotification(String bucket, String queueArn, Predicate<String> notifyFilter) {
    if (!(notifyFilter instanceof KeyFilter filter)) {
      throw new IllegalArgumentException("a real bucket notification filters keys by prefix and suffix only: pass a "
          + "KeyFilter, or guard a bridge-only test with assumeTrue(servers.hasBridge())");
    }
    List<FilterRule> rules = new ArrayList<>();
    if (!filter.prefix().isEmpty()) rules.add(FilterRule.builder().name(FilterRuleName.PREFIX).value(filter.prefix()).build());
    if (!filter.suffix().isEmpty()) rules.add(FilterRule.builder().name(FilterRuleName.SUFFIX).value(filter.suffix()).build());
    s3.putBucketNotificationConfiguration(b -> b.bucket(bucket).skipDestinationValidation(true)
        .notificationConfiguration(n -> n.queueConfigurations(q -> {
          q.id("log-compactor").queueArn(queueArn).events(Event.S3_OBJECT_CREATED);
          if (!rules.isEmpty()) q.filter(f -> f.key(k -> k.filterRules(rules)));
        })));
  }

  /** One isolated bucket + queue on these servers. */
  public record Environment(LocalServers servers, String bucket, String queueUrl, String dlqUrl) {
    /** The service's environment variables for this bucket and queue; {@code overrides} win. */
    public Map<String, String> env(Map<String, String> overrides) {
      Map<String, String> env = new HashMap<>();
      env.put(CompactorConfig.BUCKET, bucket);
      env.put(CompactorConfig.S3_ENDPOINT, servers.s3Endpoint().toString());
      env.put(CompactorConfig.S3_PATH_STYLE, "true");
      env.put(CompactorConfig.SQS_QUEUE_URL, queueUrl);
      env.put(CompactorConfig.SQS_ENDPOINT, servers.sqsEndpoint().toString());
      env.put(CompactorConfig.HTTP_PORT, "0");
      env.put(CompactorConfig.SQS_WAIT_TIME, "1s");
      env.put("AWS_REGION", REGION);
      env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
      env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
      env.putAll(overrides);
      return env;
    }

    public CompactorConfig config(Map<String, String> overrides) {
      return CompactorConfig.fromEnv(env(overrides));
    }

    public S3Client s3() {
      return servers.s3();
    }

    public SqsClient sqs() {
      return servers.sqs();
    }
  }

  public URI s3Endpoint() {
    return backend.s3Endpoint();
  }

  public URI sqsEndpoint() {
    return backend.sqsEndpoint();
  }

  public S3Client s3() {
    return s3;
  }

  public SqsClient sqs() {
    return sqs;
  }

  /** True with the in-process servers; false under LocalStack, where S3 sends the notifications itself. */
  public boolean hasBridge() {
    return backend.bridge() != null;
  }

  /**
   * The notification bridge. Only the in-process servers have one: a test that needs it (its {@code sent()} count,
   * or notifications that only the bridge produces) starts with {@code assumeTrue(servers.hasBridge())}.
   */
  public NotificationBridge bridge() {
    NotificationBridge bridge = backend.bridge();
    if (bridge == null) {
      throw new IllegalStateException("no notification bridge on " + backend.describe()
          + ": guard bridge-only tests with assumeTrue(servers.hasBridge())");
    }
    return bridge;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    try {
      s3.close();
      sqs.close();
    } finally {
      backend.close();
    }
  }
}
