package io.logcompactor.soak;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** The service's read API as a user calls it: a job's whole log, one message a line. */
public final class ReadApi {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private ReadApi() {}

  /** @return the job's log lines; empty for an unknown job (404) */
  public static List<String> jobLog(URI base, String pod) throws IOException, InterruptedException {
    URI uri = base.resolve("/api/v1/jobs/" + URLEncoder.encode(pod, StandardCharsets.UTF_8) + "/log");
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (r.statusCode() == 404) return List.of();
    if (r.statusCode() != 200) {
      throw new IOException("GET " + uri + " answered " + r.statusCode() + ": " + r.body());
    }
    String body = r.body();
    if (body.isEmpty()) return List.of();
    if (body.endsWith("\n")) body = body.substring(0, body.length() - 1);
    return Arrays.asList(body.split("\n", -1));
  }

  /** Checks every pod of the ledger through the read API. */
  public static LineCheck checkAll(URI base, UploadLedger ledger) throws IOException, InterruptedException {
    LineCheck total = LineCheck.none();
    for (String pod : ledger.pods()) {
      total = total.plus(LineCheck.of(ledger.messages(pod), jobLog(base, pod), LineCheck::producerContainer));
    }
    return total;
  }
}
