package io.logcompactor.local;

import java.net.URI;

/**
 * The S3 and SQS servers behind {@link LocalServers}: in-process S3Proxy + ElasticMQ with the notification bridge
 * ({@link EmbeddedBackend}), or LocalStack in Docker ({@code LocalStackBackend}, compiled only with
 * {@code -Plocalstack}), where S3 sends its own notifications.
 */
interface ServerBackend extends AutoCloseable {
  URI s3Endpoint();

  URI sqsEndpoint();

  /** The bridge that sends notifications, or null where S3 sends real ones (a bucket notification is configured). */
  NotificationBridge bridge();

  /** For logs and failure messages. */
  String describe();
}
