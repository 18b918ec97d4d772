package io.logcompactor.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What S3 does and no S3-compatible server here does: after every successful PUT, copy and completed multipart
 * upload, send an AWS-format {@code ObjectCreated} notification to the queue configured for the bucket. Keys are
 * URL-encoded as AWS encodes them ({@code +} for a space).
 */
public final class NotificationBridge extends ForwardingBlobStore {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationBridge.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where a bucket's notifications go, and which keys (like AWS's prefix filter) are sent. */
  public record Target(String queueUrl, Predicate<String> keyFilter) {}

  private final SqsClient sqs;
  private final Map<String, Target> targets = new ConcurrentHashMap<>();
  private final AtomicLong sequencer = new AtomicLong(0x0067450B5D1C2E3FL);
  private final AtomicLong sent = new AtomicLong();

  public NotificationBridge(BlobStore delegate, SqsClient sqs) {
    super(delegate);
    this.sqs = sqs;
  }

  public void route(String bucket, Target target) {
    targets.put(bucket, target);
  }

  public long sent() {
    return sent.get();
  }

  @Override
  public PutObjectResponse putBlob(PutObjectRequest request, InputStream input) {
    PutObjectResponse r = super.putBlob(request, input);
    long size = request.contentLength() == null ? -1 : request.contentLength();
    if (size < 0) size = sizeOf(request.bucket(), request.key());
    notify(request.bucket(), request.key(), size, r.eTag(), "ObjectCreated:Put");
    return r;
  }

  @Override
  public CopyObjectResponse copyBlob(CopyObjectRequest request) {
    CopyObjectResponse r = super.copyBlob(request);
    notify(request.destinationBucket(), request.destinationKey(), sizeOf(request.destinationBucket(),
        request.destinationKey()), r.copyObjectResult() == null ? null : r.copyObjectResult().eTag(), "ObjectCreated:Copy");
    return r;
  }

  @Override
  public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
                                                                 CompleteMultipartUploadRequest request) {
    CompleteMultipartUploadResponse r = super.completeMultipartUpload(upload, request);
    notify(request.bucket(), request.key(), sizeOf(request.bucket(), request.key()), r.eTag(),
        "ObjectCreated:CompleteMultipartUpload");
    return r;
  }

  private long sizeOf(String bucket, String key) {
    try {
      Long len = delegate().blobMetadata(bucket, key).contentLength();
      return len == null ? 0 : len;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private void notify(String bucket, String key, long size, String etag, String eventName) {
    Target target = targets.get(bucket);
    if (target == null || !target.keyFilter().test(key)) return;
    try {
      sqs.sendMessage(b -> b.queueUrl(target.queueUrl()).messageBody(event(bucket, key, size, etag, eventName)));
      sent.incrementAndGet();
    } catch (RuntimeException e) {
      // AWS delivers notifications at least once; a lost one here is what the service's reconcile is for.
      LOG.warn("notification for s3://{}/{} not sent: {}", bucket, key, e.toString());
    }
  }

  /** The notification S3 would send, for tests that inject events by hand. */
  public String event(String bucket, String key, long size, String etag, String eventName) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode records = root.putArray("Records");
    ObjectNode r = records.addObject();
    r.put("eventVersion", "2.1");
    r.put("eventSource", "aws:s3");
    r.put("awsRegion", "us-east-1");
    r.put("eventTime", Instant.now().toString());
    r.put("eventName", eventName);
    r.putObject("userIdentity").put("principalId", "AWS:LOCAL");
    ObjectNode s3 = r.putObject("s3");
    s3.put("s3SchemaVersion", "1.0");
    s3.put("configurationId", "log-compactor");
    s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket)
        .putObject("ownerIdentity").put("principalId", "LOCAL");
    ObjectNode o = s3.putObject("object");
    o.put("key", encodeKey(key));
    o.put("size", size);
    if (etag != null) o.put("eTag", etag.replace("\"", ""));
    o.put("sequencer", String.format("%016X", sequencer.incrementAndGet()));
    return root.toString();
  }

  /** S3 encodes notification keys like an HTML form: {@code +} for a space, {@code %XX} for the rest. */
  public static String encodeKey(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
  }
}
