package io.logcompactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalServersExtension.class)
class ServiceIT {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(Service s, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("the service starts against real S3 and SQS: /health, /ready and /metrics answer 200")
  void startsAndAnswers(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("svc");
    Service service = Service.start(env.config(Map.of()));
    try {
      assertThat(get(service, "/health").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(service, "/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).contains("\"s3\"", "\"sqs\"");
      HttpResponse<String> metrics = get(service, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("jvm_memory_used_bytes");
    } finally {
      service.stop().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("/ready answers 503 when the bucket does not exist, while /health stays 200")
  void notReadyWithoutBucket(LocalServers servers) throws Exception {
    LocalServers.Environment env = servers.newEnvironment("svc");
    Service service = Service.start(env.config(Map.of("COMPACTOR_S3_BUCKET", "no-such-bucket")));
    try {
      assertThat(get(service, "/health").statusCode()).isEqualTo(200);
      assertThat(get(service, "/ready").statusCode()).isEqualTo(503);
    } finally {
      service.stop().await(30, TimeUnit.SECONDS);
    }
  }
}
