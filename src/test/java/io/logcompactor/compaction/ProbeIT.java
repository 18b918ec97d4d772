package io.logcompactor.compaction;

import io.logcompactor.local.LocalServers;
import io.logcompactor.local.LocalServersExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.*;

@ExtendWith(LocalServersExtension.class)
class ProbeIT {
  String mp(S3Client s3, String bucket, String key, int partSize, java.util.function.Consumer<CompleteMultipartUploadRequest.Builder> cond) {
    String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    byte[] p = new byte[partSize];
    String e1 = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(1), RequestBody.fromBytes(p)).eTag();
    String e2 = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(2), RequestBody.fromBytes(new byte[10])).eTag();
    try {
      CompleteMultipartUploadRequest.Builder b = CompleteMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(id)
          .multipartUpload(CompletedMultipartUpload.builder().parts(CompletedPart.builder().partNumber(1).eTag(e1).build(),
              CompletedPart.builder().partNumber(2).eTag(e2).build()).build());
      cond.accept(b);
      return "OK " + s3.completeMultipartUpload(b.build()).eTag();
    } catch (Exception e) {
      return "FAIL " + e;
    }
  }

  @Test
  void probe(LocalServers servers) {
    var env = servers.newEnvironment("probe");
    S3Client s3 = env.s3();
    String bucket = env.bucket();
    System.out.println("PROBE small part 1KiB: " + mp(s3, bucket, "a", 5 << 20, b -> {}));
    System.out.println("PROBE INM on existing: " + mp(s3, bucket, "a", 5 << 20, b -> b.ifNoneMatch("*")));
    System.out.println("PROBE INM on new: " + mp(s3, bucket, "b", 5 << 20, b -> b.ifNoneMatch("*")));
    String et = s3.putObject(b -> b.bucket(bucket).key("c"), RequestBody.fromBytes(new byte[0])).eTag();
    System.out.println("PROBE IfMatch wrong: " + mp(s3, bucket, "c", 5 << 20, b -> b.ifMatch("\"0123\"")));
    System.out.println("PROBE IfMatch right: " + mp(s3, bucket, "c", 5 << 20, b -> b.ifMatch(et)));
    System.out.println("PROBE head c size: " + s3.headObject(b -> b.bucket(bucket).key("c")).contentLength());
    try {
      s3.putObject(b -> b.bucket(bucket).key("c").ifMatch("\"0123\""), RequestBody.fromBytes(new byte[1]));
      System.out.println("PROBE put IfMatch wrong: OK");
    } catch (Exception e) { System.out.println("PROBE put IfMatch wrong: " + e); }
    try {
      s3.deleteObject(b -> b.bucket(bucket).key("c").ifMatch("\"0123\""));
      System.out.println("PROBE delete IfMatch wrong: OK exists=" + s3.listObjectsV2(b -> b.bucket(bucket).prefix("c")).contents().size());
    } catch (Exception e) { System.out.println("PROBE delete IfMatch wrong: " + e); }
    String id = s3.createMultipartUpload(b -> b.bucket(bucket).key("data/x")).uploadId();
    try {
      var l = s3.listMultipartUploads(b -> b.bucket(bucket).prefix("data/"));
      System.out.println("PROBE listMultipartUploads: " + l.uploads());
    } catch (Exception e) { System.out.println("PROBE listMultipartUploads: " + e); }
    String ea = s3.putObject(b -> b.bucket(bucket).key("d1"), RequestBody.fromString("one")).eTag();
    String eb = s3.putObject(b -> b.bucket(bucket).key("d2"), RequestBody.fromString("two")).eTag();
    var r = s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().quiet(true).objects(
        ObjectIdentifier.builder().key("d1").eTag(ea).build(), ObjectIdentifier.builder().key("d2").eTag("\"0123\"").build(),
        ObjectIdentifier.builder().key("d3").eTag("\"0123\"").build()).build()));
    System.out.println("PROBE batch cond delete errors: " + r.errors() + " remaining=" + s3.listObjectsV2(b -> b.bucket(bucket).prefix("d")).contents());
    try {
      s3.deleteObject(b -> b.bucket(bucket).key("nope").ifMatch("\"0123\""));
      System.out.println("PROBE delete missing IfMatch: OK");
    } catch (Exception e) { System.out.println("PROBE delete missing IfMatch: " + e); }
    var lo = s3.listObjectsV2(b -> b.bucket(bucket));
    System.out.println("PROBE list: " + lo.contents());
  }
}
