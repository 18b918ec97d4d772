package io.logcompactor.aws;

import io.logcompactor.config.CompactorConfig;
import java.time.Duration;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the SDK clients. They are synchronous, on the url-connection transport, and only ever called from named
 * worker pools: measured faster than the async Netty client for the small objects this service moves.
 */
public final class AwsClients {
  /**
   * One more than the JDK keeps idle connections per host (http.maxConnections, 5): a server that answers a PUT
   * before reading its body (a failed precondition) and then closes can leave every pooled connection dead, and a
   * request on a dead one fails without reaching the server.
   */
  public static final int S3_MAX_ATTEMPTS = 6;
  /** The SDK's standard: the pollers back off on their own between failed receives. */
  static final int SQS_MAX_ATTEMPTS = 3;
  private AwsClients() {}

  public static S3Client s3(CompactorConfig config, ExecutionInterceptor... interceptors) {
    SdkHttpClient http = UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(10))
        .socketTimeout(Duration.ofSeconds(60))
        .build();
    var builder = S3Client.builder()
        .httpClient(http)
        .overrideConfiguration(overrides(S3_MAX_ATTEMPTS, interceptors))
        // Flexible checksums only where S3 requires them: gzip carries its own CRC, and aws-chunked trailers cost
        // CPU on every small PUT and confuse some S3-compatible servers.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .forcePathStyle(config.s3PathStyle());
    config.s3Endpoint().ifPresent(builder::endpointOverride);
    config.effectiveRegion().map(Region::of).ifPresent(builder::region);
    return builder.build();
  }

  public static SqsClient sqs(CompactorConfig config) {
    SdkHttpClient http = UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(10))
        // Long polls hold the socket for up to 20 s.
        .socketTimeout(config.sqsWaitTime().plusSeconds(20))
        .build();
    var builder = SqsClient.builder().httpClient(http).overrideConfiguration(overrides(SQS_MAX_ATTEMPTS));
    config.sqsEndpoint().ifPresent(builder::endpointOverride);
    config.effectiveRegion().map(Region::of).ifPresent(builder::region);
    return builder.build();
  }

  /** The standard retry strategy with {@link #S3_MAX_ATTEMPTS}: also for other S3 clients of the same server. */
  public static RetryStrategy s3RetryStrategy() {
    return retryStrategy(S3_MAX_ATTEMPTS);
  }

  private static RetryStrategy retryStrategy(int maxAttempts) {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).build();
  }

  private static ClientOverrideConfiguration overrides(int maxAttempts, ExecutionInterceptor... interceptors) {
    var b = ClientOverrideConfiguration.builder()
        .retryStrategy(retryStrategy(maxAttempts))
        .apiCallTimeout(Duration.ofMinutes(5))
        .addExecutionInterceptor(new ContentLengthCheck());
    for (ExecutionInterceptor i : interceptors) b.addExecutionInterceptor(i);
    return b.build();
  }
}
