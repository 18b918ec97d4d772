package io.logcompactor.local;

import io.logcompactor.config.CompactorConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Real S3 (S3Proxy) and SQS (ElasticMQ) servers in this JVM on 127.0.0.1, with the notification bridge between
 * them. Tests get one per JVM from {@link LocalServersExtension} and an isolated bucket + queue each from
 * {@link #newEnvironment}; local mode runs one with a filesystem store.
 */
public final class LocalServers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalServers.class);
  public static final String ACCESS_KEY = "local-access-key";
  public static final String SECRET_KEY = "local-secret-key";
  public static final String REGION = "us-east-1";
  public static final String ACCOUNT = "000000000000";

  private final S3Proxy s3Proxy;
  private final SQSRestServer sqsServer;
  private final URI s3Endpoint;
  private final URI sqsEndpoint;
  private final S3Client s3;
  private final SqsClient sqs;
  private final NotificationBridge bridge;
  private final AtomicInteger environments = new AtomicInteger();

  /** @param storeDir where S3Proxy keeps objects (kept across restarts), or null for an in-memory store */
  public static LocalServers start(Path storeDir, int s3Port, int sqsPort) throws Exception {
    return new LocalServers(storeDir, s3Port == 0 ? freePort() : s3Port, sqsPort == 0 ? freePort() : sqsPort);
  }

  private LocalServers(Path storeDir, int s3Port, int sqsPort) throws Exception {
    // In-process services find these through the SDK's default chain, as a deployed service finds its own.
    System.setProperty("aws.region", REGION);
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
    sqsEndpoint = URI.create("http://127.0.0.1:" + sqsPort);
    sqsServer = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(sqsPort).withAWSRegion(REGION)
        .withAWSAccountId(ACCOUNT).withServerAddress(new NodeAddress("http", "127.0.0.1", sqsPort, "")).start();
    sqsServer.waitUntilStarted();
    sqs = SqsClient.builder().endpointOverride(sqsEndpoint).region(Region.of(REGION)).credentialsProvider(credentials())
        .httpClient(UrlConnectionHttpClient.create()).build();

    BlobStore store;
    if (storeDir == null) {
      store = new TransientNio2BlobStore();
    } else {
      Files.createDirectories(storeDir);
      store = new FilesystemNio2BlobStore(storeDir.toAbsolutePath().toString());
    }
    bridge = new NotificationBridge(store, sqs);
    s3Endpoint = URI.create("http://127.0.0.1:" + s3Port);
    s3Proxy = S3Proxy.builder()
        .blobStore(bridge)
        .endpoint(s3Endpoint)
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .ignoreUnknownHeaders(true)
        .build();
    s3Proxy.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"STARTED".equals(s3Proxy.getState())) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("S3Proxy did not start: " + s3Proxy.getState());
      Thread.onSpinWait();
    }
    s3 = S3Client.builder().endpointOverride(s3Endpoint).region(Region.of(REGION)).credentialsProvider(credentials())
        .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create()).build();
    LOG.info("local S3 at {}, SQS at {}", s3Endpoint, sqsEndpoint);
  }

  public static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /** A bucket and queue (with a dead-letter queue) of their own, for one test or one local run. */
  public Environment newEnvironment(String name) {
    return newEnvironment(name, 30, 5, key -> true);
  }

  /**
   * @param visibilitySeconds the queue's visibility timeout
   * @param maxReceiveCount   receives before SQS moves a message to the dead-letter queue
   * @param notifyFilter      keys the bucket notification is configured for (AWS: a prefix filter)
   */
  public Environment newEnvironment(String name, int visibilitySeconds, int maxReceiveCount,
                                    Predicate<String> notifyFilter) {
    String base = name + "-" + environments.incrementAndGet();
    String bucket = base.toLowerCase();
    if (!s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket))) {
      s3.createBucket(b -> b.bucket(bucket));
    }
    String dlqUrl = sqs.createQueue(b -> b.queueName(base + "-dlq")).queueUrl();
    String dlqArn = "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + base + "-dlq";
    String queueUrl = sqs.createQueue(b -> b.queueName(base + "-events").attributes(Map.of(
        QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilitySeconds),
        QueueAttributeName.REDRIVE_POLICY,
        "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}"))).queueUrl();
    bridge.route(bucket, new NotificationBridge.Target(queueUrl, notifyFilter));
    return new Environment(this, bucket, queueUrl, dlqUrl);
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
    return s3Endpoint;
  }

  public URI sqsEndpoint() {
    return sqsEndpoint;
  }

  public S3Client s3() {
    return s3;
  }

  public SqsClient sqs() {
    return sqs;
  }

  public NotificationBridge bridge() {
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
      s3Proxy.stop();
    } finally {
      s3.close();
      sqs.close();
      sqsServer.stopAndWait();
    }
  }
}
