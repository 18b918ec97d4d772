package io.logcompactor.bench;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The floors each figure is divided by: the least work any compactor must do for the same result, with the same
 * client, settings and concurrency, measured in the same run.
 */
final class Floors {
  private Floors() {}

  /** GET every raw object (in parallel, {@code pool}'s threads) and PUT their concatenation once. */
  static double mergeMillis(S3Client s3, String bucket, List<String> keys, String outKey, ExecutorService pool)
      throws Exception {
    long t0 = System.nanoTime();
    List<Future<byte[]>> gets = new ArrayList<>(keys.size());
    for (String k : keys) gets.add(pool.submit(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(k)).asByteArray()));
    List<byte[]> parts = new ArrayList<>(keys.size());
    long total = 0;
    for (Future<byte[]> f : gets) {
      byte[] b = f.get();
      parts.add(b);
      total += b.length;
    }
    byte[] out = new byte[Math.toIntExact(total)];
    int pos = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
    }
    s3.putObject(b -> b.bucket(bucket).key(outKey), RequestBody.fromBytes(out));
    return (System.nanoTime() - t0) / 1e6;
  }

  /** Receive batches of 10 and delete each batch, with {@code pollers} threads, until {@code count} are gone. */
  static double ingestMillis(SqsClient sqs, String queueUrl, int count, int pollers, ExecutorService pool)
      throws Exception {
    AtomicInteger deleted = new AtomicInteger();
    AtomicLong first = new AtomicLong();
    List<Future<?>> workers = new ArrayList<>();
    for (int p = 0; p < pollers; p++) {
      workers.add(pool.submit(() -> {
        while (deleted.get() < count) {
          List<Message> ms = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
              .messages();
          if (ms.isEmpty()) continue;
          first.compareAndSet(0, System.nanoTime());
          List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
          for (int i = 0; i < ms.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                .receiptHandle(ms.get(i).receiptHandle()).build());
          }
          sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
          deleted.addAndGet(ms.size());
        }
        return null;
      }));
    }
    for (Future<?> w : workers) w.get();
    return (System.nanoTime() - first.get()) / 1e6;
  }

  /** GET each object in order and gunzip it (all members) to a null sink. @return millis and plain bytes */
  static double[] readMillis(S3Client s3, String bucket, List<String> keys) throws IOException {
    long t0 = System.nanoTime();
    long plain = 0;
    byte[] buf = new byte[64 * 1024];
    for (String k : keys) {
      try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(k));
           InputStream gz = new GZIPInputStream(new NeverDryInputStream(in), 64 * 1024)) {
        int n;
        while ((n = gz.read(buf)) > 0) plain += n;
      }
    }
    return new double[] {(System.nanoTime() - t0) / 1e6, plain};
  }

  /**
   * GZIPInputStream only looks for a next member when available() > 0; a network stream may say 0 at a member
   * boundary and the rest would be silently skipped. Claim at least one byte until the stream has really ended.
   */
  static final class NeverDryInputStream extends FilterInputStream {
    NeverDryInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int available() throws IOException {
      return Math.max(1, super.available());
    }
  }
}
