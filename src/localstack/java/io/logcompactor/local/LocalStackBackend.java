package io.logcompactor.local;

import java.net.URI;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * LocalStack in Docker, for {@code make test_localstack}: real S3 bucket notifications instead of the bridge.
 * Compiled only with {@code -Plocalstack}; {@link LocalServers#forTests()} loads it by name.
 */
final class LocalStackBackend implements ServerBackend {
  /** Override with {@code -Dlocalstack.image=...}. A pinned tag: the tests must not change under us. */
  static final String DEFAULT_IMAGE = "localstack/localstack:4.10";

  private final LocalStackContainer container;

  LocalStackBackend() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new IllegalStateException("-Plocalstack needs a Docker engine, and none answers here");
    }
    DockerImageName image = DockerImageName.parse(System.getProperty("localstack.image", DEFAULT_IMAGE))
        .asCompatibleSubstituteFor("localstack/localstack");
    container = new LocalStackContainer(image)
        .withServices(LocalStackContainer.Service.S3, LocalStackContainer.Service.SQS)
        .withEnv("DEFAULT_REGION", LocalServers.REGION);
    container.start();
  }

  @Override
  public URI s3Endpoint() {
    return container.getEndpoint();
  }

  @Override
  public URI sqsEndpoint() {
    return container.getEndpoint();
  }

  @Override
  public NotificationBridge bridge() {
    return null;
  }

  @Override
  public String describe() {
    return "LocalStack " + container.getDockerImageName() + " at " + container.getEndpoint()
        + " (real bucket notifications)";
  }

  @Override
  public void close() {
    container.stop();
  }
}
