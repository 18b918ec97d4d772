package io.logcompactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import io.logcompactor.s3.S3Errors;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * The S3 behaviours the compaction design relies on, checked against the server the tests use (AWS documents all
 * of them): conditional CompleteMultipartUpload and conditional (batch) deletes.
 */
@ExtendWith(LocalServersExtension.class)
class ConditionalWritesIT {
  private static String multipart(S3Client s3, String bucket, String key,
                                  Consumer<CompleteMultipartUploadRequest.Builder> condition) {
    String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(1),
        RequestBody.fromBytes(new byte[16])).eTag();
    CompleteMultipartUploadRequest.Builder req = CompleteMultipartUploadRequest.builder().bucket(bucket).key(key)
        .uploadId(id).multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(etag)));
    condition.accept(req);
    return s3.completeMultipartUpload(req.build()).eTag();
  }

  @Test
  @DisplayName("CompleteMultipartUpload honours If-None-Match: * and If-Match, so a writer never replaces an object it did not create")
  void conditionalComplete(LocalServers servers) {
    LocalServers.Environment env = servers.newEnvironment("conditional");
    S3Client s3 = env.s3();
    String bucket = env.bucket();
    s3.putObject(b -> b.bucket(bucket).key("taken"), RequestBody.fromString("someone else's"));
    assertThatThrownBy(() -> multipart(s3, bucket, "taken", b -> b.ifNoneMatch("*")))
        .satisfies(e -> assertThat(S3Errors.isPreconditionFailed(e)).isTrue());
    assertThat(multipart(s3, bucket, "free", b -> b.ifNoneMatch("*"))).isNotBlank();

    String claim = s3.putObject(b -> b.bucket(bucket).key("claimed").ifNoneMatch("*"),
        RequestBody.fromString("placeholder of run 1")).eTag();
    assertThatThrownBy(() -> multipart(s3, bucket, "claimed", b -> b.ifMatch("\"00000000000000000000000000000000\"")))
        .satisfies(e -> assertThat(S3Errors.isPreconditionFailed(e)).isTrue());
    assertThat(multipart(s3, bucket, "claimed", b -> b.ifMatch(claim))).isNotBlank();
    assertThat(s3.headObject(b -> b.bucket(bucket).key("claimed")).contentLength()).isEqualTo(16);
  }

  @Test
  @DisplayName("PutObject honours If-Match, so a streamed file replaces only its own placeholder")
  void conditionalPutOverAPlaceholder(LocalServers servers) {
    LocalServers.Environment env = servers.newEnvironment("conditional");
    S3Client s3 = env.s3();
    String bucket = env.bucket();
    String claim = s3.putObject(b -> b.bucket(bucket).key("claimed").ifNoneMatch("*"),
        RequestBody.fromString("placeholder of run 1")).eTag();
    assertThatThrownBy(() -> s3.putObject(b -> b.bucket(bucket).key("claimed")
        .ifMatch("\"00000000000000000000000000000000\""), RequestBody.fromString("run 2's file")))
        .satisfies(e -> assertThat(S3Errors.isPreconditionFailed(e)).isTrue());
    assertThatThrownBy(() -> s3.putObject(b -> b.bucket(bucket).key("unclaimed").ifMatch(claim),
        RequestBody.fromString("a file without a placeholder")))
        .as("no object to match: S3 answers 404").satisfies(e -> assertThat(S3Errors.isNotFound(e)).isTrue());
    s3.putObject(b -> b.bucket(bucket).key("claimed").ifMatch(claim), RequestBody.fromString("run 1's file"));
    assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("claimed")).asUtf8String()).isEqualTo("run 1's file");
    assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(o -> o.key()).containsExactly("claimed");
  }

  @Test
  @DisplayName("DeleteObjects with per-object ETags deletes only objects whose ETag still matches")
  void conditionalBatchDelete(LocalServers servers) {
    LocalServers.Environment env = servers.newEnvironment("conditional");
    S3Client s3 = env.s3();
    String bucket = env.bucket();
    String same = s3.putObject(b -> b.bucket(bucket).key("same"), RequestBody.fromString("1")).eTag();
    String old = s3.putObject(b -> b.bucket(bucket).key("replaced"), RequestBody.fromString("2")).eTag();
    s3.putObject(b -> b.bucket(bucket).key("replaced"), RequestBody.fromString("2, uploaded again"));
    EngineFixture.Store store = EngineFixture.Store.of(env);
    try {
      Map<String, S3Error> errors = store.store().deleteAllIfMatchBlocking(
          Map.of("same", same, "replaced", old, "missing", old));
      assertThat(errors).containsOnlyKeys("replaced");
      assertThat(errors.get("replaced").code()).isEqualTo("PreconditionFailed");
      assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(o -> o.key()).containsExactly("replaced");
    } finally {
      store.close();
    }
  }
}
