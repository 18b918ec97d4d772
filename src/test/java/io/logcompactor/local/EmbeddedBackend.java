package io.logcompactor.local;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** S3Proxy and ElasticMQ in this JVM on 127.0.0.1, with the notification bridge between them. */
final class EmbeddedBackend implements ServerBackend {
  private final SQSRestServer sqsServer;
  private final SqsClient bridgeSqs;
  private final S3Proxy s3Proxy;
  private final NotificationBridge bridge;
  private final URI s3Endpoint;
  private final URI sqsEndpoint;

  /** Starts both servers; if the second fails to start, the first is stopped again, so nothing is left running. */
  EmbeddedBackend(Path storeDir, int s3Port, int sqsPort) throws Exception {
    sqsEndpoint = URI.create("http://127.0.0.1:" + sqsPort);
    s3Endpoint = URI.create("http://127.0.0.1:" + s3Port);
    sqsServer = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(sqsPort).withAWSRegion(LocalServers.REGION)
        .withAWSAccountId(LocalServers.ACCOUNT).withServerAddress(new NodeAddress("http", "127.0.0.1", sqsPort, ""))
        .start();
    SqsClient sqs = null;
    S3Proxy proxy = null;
    try {
      sqsServer.waitUntilStarted();
      sqs = SqsClient.builder().endpointOverride(sqsEndpoint).region(Region.of(LocalServers.REGION))
          .credentialsProvider(LocalServers.credentials()).httpClient(UrlConnectionHttpClient.create()).build();
      bridge = new NotificationBridge(blobStore(storeDir), sqs);
      proxy = S3Proxy.builder()
          .blobStore(bridge)
          .endpoint(s3Endpoint)
          .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, LocalServers.ACCESS_KEY, LocalServers.SECRET_KEY)
          .ignoreUnknownHeaders(true)
          .build();
      proxy.start();
      awaitStarted(proxy);
    } catch (Exception | Error e) {
      if (proxy != null) stopQuietly(proxy, e);
      if (sqs != null) sqs.close();
      sqsServer.stopAndWait();
      throw e;
    }
    bridgeSqs = sqs;
    s3Proxy = proxy;
  }

  private static BlobStore blobStore(Path storeDir) throws Exception {
    if (storeDir == null) return new TransientNio2BlobStore();
    Files.createDirectories(storeDir);
    return new FilesystemNio2BlobStore(storeDir.toAbsolutePath().toString());
  }

  private static void awaitStarted(S3Proxy proxy) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"STARTED".equals(proxy.getState())) {
      // Jetty reports a failed bind as FAILED: say so at once instead of waiting out the deadline.
      if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start on " + proxy.getPort() + ": " + proxy.getState());
      }
      Thread.onSpinWait();
    }
  }

  private static void stopQuietly(S3Proxy proxy, Throwable cause) {
    try {
      proxy.stop();
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public URI s3Endpoint() {
    return s3Endpoint;
  }

  @Override
  public URI sqsEndpoint() {
    return sqsEndpoint;
  }

  @Override
  public NotificationBridge bridge() {
    return bridge;
  }

  @Override
  public String describe() {
    return "S3Proxy at " + s3Endpoint + " + ElasticMQ at " + sqsEndpoint + " (notification bridge)";
  }

  @Override
  public void close() throws Exception {
    try {
      s3Proxy.stop();
    } finally {
      bridgeSqs.close();
      sqsServer.stopAndWait();
    }
  }
}
