package io.logcompactor.compaction;

import io.logcompactor.s3.S3Errors;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Writes one merged file from a stream of bytes, in bounded memory: the buffer being filled and up to
 * {@value #UPLOADS_IN_FLIGHT} being sent in the background. A file of up to {@code singlePutMax} bytes is held in the
 * part buffers and written with a single {@code PUT If-None-Match: *}; on a name clash it simply takes the next name.
 *
 * <p>A larger one cannot be replayed under another name once its bytes are on their way, so its name is claimed
 * first: a small placeholder unique to this writer is created with {@code If-None-Match: *}, and the file replaces
 * it with {@code If-Match} on the placeholder's ETag. So a writer never replaces an object it did not create, on AWS
 * and on S3Proxy alike. When the caller knows the file's exact size in advance ({@code streamSize}), the file is one
 * PUT whose body streams as it is written ({@link StreamedBody}): two requests in all, where a multipart upload of
 * 64 MiB takes eleven, and S3Proxy spends twice the CPU on it (it stores the parts, then copies them into the file).
 * If the stream cannot finish (the bytes turn out not to be the size planned, the request fails or the body
 * stalls), {@link #cancelStream} drops it, nothing of it is stored, and the caller writes the file again, as a
 * multipart upload of parts of {@code partSize}.
 */
final class MergedObjectWriter {
  private static final Logger LOG = LoggerFactory.getLogger(MergedObjectWriter.class);
  static final String CONTENT_TYPE = "application/gzip";
  /** User metadata naming the compaction run that created an object. */
  static final String OWNER_METADATA = "compaction-run";

  /** How a file was uploaded. */
  enum Upload {
    /** One PUT of bytes held in memory. */
    SINGLE,
    /** One PUT whose body streamed as it was written. */
    STREAMED,
    MULTIPART
  }

  /** The file as written. */
  record Written(String key, String etag, long size, Upload upload) {}

  /** The streamed PUT failed or stalled: nothing of it is stored; see {@link #cancelStream}. */
  static final class StreamBroken extends RuntimeException {
    StreamBroken(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** S3's limit for one PUT. */
  static final long MAX_SINGLE_PUT = 5L << 30;
  /**
   * The bytes a streamed body takes at a time: the server gets them as they come, not a part at a time, and a body
   * never waits for a whole part to fill (S3 gives up on a body that pauses for about 20 s).
   */
  static final int STREAM_CHUNK = 1 << 20;
  /** A streamed body that gets no bytes for this long fails, and the file is written again as parts. */
  static final Duration STREAM_STALL_LIMIT = Duration.ofSeconds(10);
  /** A streamed body can be read once only: an attempt that fails is not the SDK's to repeat but the caller's. */
  private static final AwsRequestOverrideConfiguration STREAMED_PUT = AwsRequestOverrideConfiguration.builder()
      .addPlugin(config -> config.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())))
      // The request lasts as long as the file takes to write; the stall limit catches one that stopped moving, and
      // the run's own age limit (OrphanPolicy) a slow one.
      .apiCallTimeout(Duration.ofHours(1))
      .build();

  /**
   * Parts uploading while the next one fills. With each part uploaded where it was filled, the writer waited on every
   * upload (8 MiB: request signing, the transfer, the server's write), the look-ahead filled up behind it and the
   * fetches stopped: merging 200 raw objects of 1 MiB left 1.3 s of the two cores' time idle in a 2.8 s run.
   */
  static final int UPLOADS_IN_FLIGHT = 2;

  /** Runs a part's upload, a blocking call returning its ETag, in the background (on the S3 pool). */
  @FunctionalInterface
  interface Background {
    CompletionStage<String> run(Callable<String> upload);
  }

  /** A part on its way: its buffer is reused once it is uploaded. */
  private record Uploading(int number, byte[] buffer, CompletableFuture<String> etag) {}

  /** The run is too old to finish uploads safely (see {@link OrphanPolicy}). */
  static final class TooLateException extends Exception {
    TooLateException(String message) {
      super(message);
    }
  }

  private final S3Client s3;
  private final Background background;
  private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
  private final ArrayDeque<Uploading> uploading = new ArrayDeque<>();
  private final String bucket;
  private final int partSize;
  private final long singlePutMax;
  /** Full parts of a file that may still be one PUT: uploaded only once it is larger. */
  private final ArrayDeque<byte[]> held = new ArrayDeque<>();
  private final Supplier<String> names;
  private final BooleanSupplier mayComplete;
  private final Runnable onPart;
  private final String owner;
  private byte[] buf;
  private int buffered;
  private long position;
  private String key;
  private String uploadId;
  private String placeholderEtag;
  private final List<CompletedPart> parts = new ArrayList<>();
  /** The exact size of a file to stream as one PUT, or -1 for parts. */
  private long streamSize;
  private StreamedBody stream;
  private CompletableFuture<String> streamed;

  /**
   * @param singlePutMax the largest file written with one PUT, at most {@value #UPLOADS_IN_FLIGHT} parts (its parts
   *                    are held until it is larger, in the buffers the uploads would use); a file expected to be
   *                    larger should pass {@code partSize}, so that its first part uploads as soon as it is full
   * @param streamSize  the file's exact size when the caller knows it in advance: it is then one streamed PUT; or -1
   * @param names       candidate keys, each unused so far; asked again after a clash
   * @param mayComplete false once the run is too old to complete an upload
   * @param onPart      called after each uploaded part, and after each chunk of a streamed body that comes back sent
   *                    while the writer waits for a free buffer (a failpoint)
   * @param owner       unique id of the run, written into placeholders so their ETags are unique
   * @param background  where parts are uploaded while the next one fills
   * @param buffers     buffers to reuse (grown up to a part as needed), from {@link #buffers()} of the previous
   *                    writer of the run, or empty: parts are MiBs, humongous allocations under G1
   */
  MergedObjectWriter(S3Client s3, Background background, String bucket, int partSize, long singlePutMax,
                     long streamSize, Supplier<String> names, BooleanSupplier mayComplete,
                     Runnable onPart, String owner, Deque<byte[]> buffers) {
    checkSinglePutMax(partSize, singlePutMax);
    if (streamSize > MAX_SINGLE_PUT) throw new IllegalArgumentException("a streamed file is one PUT: 5 GiB at most");
    this.streamSize = streamSize;
    this.buf = buffers.isEmpty() ? new byte[64 * 1024] : buffers.poll();
    spare.addAll(buffers);
    this.s3 = s3;
    this.background = background;
    this.bucket = bucket;
    this.partSize = partSize;
    this.singlePutMax = singlePutMax;
    this.names = names;
    this.mayComplete = mayComplete;
    this.onPart = onPart;
    this.owner = owner;
  }

  /** A file held for one PUT must fit in the buffers its uploads would use: one to {@value #UPLOADS_IN_FLIGHT} parts. */
  static void checkSinglePutMax(int partSize, long singlePutMax) {
    if (singlePutMax < partSize || singlePutMax > (long) UPLOADS_IN_FLIGHT * partSize) {
      throw new IllegalArgumentException("singlePutMax must be one to " + UPLOADS_IN_FLIGHT + " parts");
    }
  }

  /** The buffers, for the next writer of the run; valid once it has finished or aborted. */
  Deque<byte[]> buffers() {
    ArrayDeque<byte[]> all = new ArrayDeque<>(spare);
    all.addAll(held);
    all.addFirst(buf);
    return all;
  }

  /** Bytes written so far: the offset the next byte will have in the merged file. */
  long position() {
    return position;
  }

  /** Whether the file is still to be one streamed PUT (its bytes may be on their way already). */
  boolean streamPlanned() {
    return streamSize >= 0;
  }

  void write(byte[] b, int off, int len) {
    if (streamPlanned() && position + len > streamSize) {
      throw new IllegalStateException("more bytes than the " + streamSize + " planned for a streamed file");
    }
    while (len > 0) {
      if (buffered >= fill()) flushPart();
      int fill = fill();
      ensureCapacity(Math.min(fill, buffered + len));
      int n = Math.min(len, fill - buffered);
      System.arraycopy(b, off, buf, buffered, n);
      buffered += n;
      position += n;
      off += n;
      len -= n;
    }
  }

  /** A buffer given back earlier, or a small new one that {@link #ensureCapacity} grows as it fills. */
  private byte[] freeBuffer() {
    return spare.isEmpty() ? new byte[64 * 1024] : spare.poll();
  }

  /** Bytes a buffer takes before it is sent: a part, or a chunk of a streamed body. */
  private int fill() {
    return stream != null ? STREAM_CHUNK : partSize;
  }

  /** This writer as a stream, for copying and compressing into it. Closing it does nothing. */
  OutputStream stream() {
    return new OutputStream() {
      @Override
      public void write(int b) {
        MergedObjectWriter.this.write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        MergedObjectWriter.this.write(b, off, len);
      }
    };
  }

  /**
   * What {@link #finishUploads} leaves: a file one PUT made visible ({@code written}), or a multipart upload whose
   * {@code completion} is still to be called, once, possibly on another thread while the run goes on (the writer's
   * buffers are free by then); a completion that fails aborts the upload. Both null when nothing was written.
   */
  record Finished(Written written, Callable<Written> completion) {
    Written complete() throws Exception {
      return completion == null ? written : completion.call();
    }
  }

  /** Uploads what is left; a multipart file becomes visible once its completion is called. */
  Finished finishUploads() throws TooLateException {
    if (position == 0) return new Finished(null, null);
    if (!mayComplete.getAsBoolean()) throw new TooLateException("run too old to complete a merged file");
    if (streamPlanned()) {
      if (position != streamSize) {
        throw new IllegalStateException(position + " bytes where " + streamSize + " were planned for a streamed file");
      }
      return new Finished(finishStream(), null);
    }
    if (uploadId == null) return new Finished(putWhole(), null);
    if (buffered > 0) flushPart();
    while (!uploading.isEmpty()) awaitOldestPart();
    return new Finished(null, this::complete);
  }

  private Written complete() {
    String k = key;
    try {
      String etag = s3.completeMultipartUpload(b -> b.bucket(bucket).key(k).uploadId(uploadId)
          .ifMatch(placeholderEtag).multipartUpload(m -> m.parts(parts))).eTag();
      uploadId = null;
      placeholderEtag = null;
      return new Written(k, etag, position, Upload.MULTIPART);
    } catch (RuntimeException e) {
      abort();
      throw e;
    }
  }

  /** Abandons the file: aborts a multipart upload and removes the placeholder. Best effort; orphans age out. */
  void abort() {
    if (stream != null) endStream();
    // Parts still uploading could land after the abort and be kept as an upload's parts.
    while (!uploading.isEmpty()) {
      Uploading u = uploading.poll();
      try {
        u.etag().join();
      } catch (RuntimeException ignored) {
        // Aborted below either way.
      }
      spare.add(u.buffer());
    }
    releaseHeld();
    if (uploadId != null) {
      String k = key;
      String id = uploadId;
      uploadId = null;
      try {
        s3.abortMultipartUpload(b -> b.bucket(bucket).key(k).uploadId(id));
      } catch (RuntimeException e) {
        LOG.warn("aborting multipart upload of s3://{}/{} failed: {}", bucket, k, e.toString());
      }
    }
    if (placeholderEtag != null) {
      String k = key;
      String etag = placeholderEtag;
      placeholderEtag = null;
      try {
        s3.deleteObject(b -> b.bucket(bucket).key(k).ifMatch(etag));
      } catch (RuntimeException e) {
        LOG.warn("removing placeholder s3://{}/{} failed: {}", bucket, k, e.toString());
      }
    }
  }

  private Written putWhole() {
    RequestBody body = wholeBody();
    while (true) {
      String k = names.get();
      try {
        return wholeWritten(k, s3.putObject(b -> b.bucket(bucket).key(k).contentType(CONTENT_TYPE).ifNoneMatch("*")
            .metadata(ownerTag()), body).eTag());
      } catch (RuntimeException e) {
        if (!S3Errors.isPreconditionFailed(e)) throw e;
        String mine = landedEarlier(k, position);
        if (mine != null) return wholeWritten(k, mine);
      }
      LOG.info("merged file s3://{}/{} exists already (crashed or concurrent run); taking the next name", bucket, k);
    }
  }

  /** A file one PUT made visible: its held parts are free again. */
  private Written wholeWritten(String k, String etag) {
    releaseHeld();
    return new Written(k, etag, position, Upload.SINGLE);
  }

  /** Starts the streamed PUT of a file whose name is claimed, replacing the placeholder. */
  private void startStream() {
    claim();
    StreamedBody body = new StreamedBody(STREAM_STALL_LIMIT);
    String k = key;
    String claimed = placeholderEtag;
    long size = streamSize;
    stream = body;
    streamed = background.run(() -> s3.putObject(b -> b.bucket(bucket).key(k).contentType(CONTENT_TYPE)
        .ifMatch(claimed).metadata(ownerTag()).overrideConfiguration(STREAMED_PUT),
        RequestBody.fromContentProvider(body.provider(), size, CONTENT_TYPE)).eTag()).toCompletableFuture();
    // However the request ends, also when the pool refused it: the writer must not wait for a body nobody reads.
    streamed.whenComplete((etag, failure) -> body.over());
  }

  /** Hands the buffer to the stream and takes a free one, waiting for one to be sent if none is. */
  private void sendChunk() {
    stream.hand(buf, buffered);
    buffered = 0;
    buf = null;
    try {
      while (spare.isEmpty() && stream.inFlight() >= UPLOADS_IN_FLIGHT) {
        byte[] sent = stream.awaitSent();
        if (sent == null) break;
        spare.add(sent);
        onPart.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while streaming a merged file", e);
    }
    buf = freeBuffer();
    // Over with bytes still to come: it failed, and nothing more is read.
    if (streamed.isDone()) throw broken(streamFailure());
  }

  /** Sends the last bytes and waits for the PUT's answer. */
  private Written finishStream() {
    if (stream == null) startStream();
    if (buffered > 0) sendChunk();
    stream.end();
    Throwable failure = streamFailure();
    String etag;
    if (failure == null) {
      etag = streamed.join();
    } else {
      // A failure leaves the stream to abort() or cancelStream().
      // The placeholder is no longer this writer's: the parts' completion would fail the same way.
      boolean lostClaim = S3Errors.isPreconditionFailed(failure) || S3Errors.isNotFound(failure);
      if (lostClaim && failure instanceof RuntimeException r) throw r;
      // The whole body was sent: it may have been stored with only the answer lost.
      etag = S3Errors.isAmbiguous(failure) ? landedEarlier(key, position) : null;
      if (etag == null) throw broken(failure);
    }
    endStream();
    placeholderEtag = null;
    return new Written(key, etag, position, Upload.STREAMED);
  }

  private StreamBroken broken(Throwable cause) {
    return new StreamBroken("streaming merged file s3://" + bucket + "/" + key + " failed", cause);
  }

  /**
   * Gives up the streamed PUT: the file will be parts. A stream not started yet is simply not started; one that
   * started is abandoned (the server never stores a body that ends short) and the writer is empty again, its name
   * kept: the caller writes the file's bytes again from the first.
   *
   * @return true when the caller must write the file's bytes again
   */
  boolean cancelStream() {
    streamSize = -1;
    if (stream == null) return false;
    endStream();
    buffered = 0;
    position = 0;
    return true;
  }

  /** Abandons the stream if it still runs, waits for its request to end and takes its buffers back. */
  private void endStream() {
    stream.abandon();
    streamFailure();
    spare.addAll(stream.remaining());
    stream = null;
    streamed = null;
  }

  /** Waits for the streamed PUT to end. @return why it failed, or null when it succeeded */
  private Throwable streamFailure() {
    try {
      streamed.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause() == null ? e : e.getCause();
    } catch (java.util.concurrent.CancellationException e) {
      return e;
    }
  }

  private void releaseHeld() {
    spare.addAll(held);
    held.clear();
  }

  /** The held parts and the buffered bytes, in order, without a copy; replayable for the SDK's retries. */
  private RequestBody wholeBody() {
    List<byte[]> full = List.copyOf(held);
    byte[] last = buf;
    int lastLength = buffered;
    return RequestBody.fromContentProvider(() -> {
      List<InputStream> streams = new ArrayList<>();
      for (byte[] p : full) streams.add(new ByteArrayInputStream(p, 0, partSize));
      streams.add(new ByteArrayInputStream(last, 0, lastLength));
      return new SequenceInputStream(Collections.enumeration(streams));
    }, position, CONTENT_TYPE);
  }

  /**
   * Sends the full buffer in the background, or holds it while the file may still be one PUT, and takes a free
   * buffer, waiting for an upload if none is.
   */
  private void flushPart() {
    if (streamPlanned()) {
      // Nothing is held first: holding is for a file that may be one PUT of held bytes, which a stream never is.
      if (stream == null) startStream();
      sendChunk();
      return;
    }
    if (uploadId == null && position < singlePutMax) {
      // More bytes are coming (or this would not be called), but the file may still fit one PUT.
      held.add(buf);
      buffered = 0;
      buf = freeBuffer();
      return;
    }
    if (uploadId == null) start();
    while (!held.isEmpty()) upload(held.poll(), partSize);
    upload(buf, buffered);
    buffered = 0;
    // A buffer is free, or one more may be made while fewer than the most parts are uploading.
    while (spare.isEmpty() && uploading.size() >= UPLOADS_IN_FLIGHT) awaitOldestPart();
    buf = spare.isEmpty() ? new byte[partSize] : spare.poll();
  }

  private void upload(byte[] part, int length) {
    int number = parts.size() + uploading.size() + 1;
    String k = key;
    String id = uploadId;
    CompletableFuture<String> etag = background.run(() -> s3.uploadPart(
        b -> b.bucket(bucket).key(k).uploadId(id).partNumber(number), body(part, length)).eTag()).toCompletableFuture();
    uploading.add(new Uploading(number, part, etag));
  }

  private void awaitOldestPart() {
    Uploading u = uploading.peek();
    String etag;
    try {
      etag = u.etag().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error err) throw err;
      throw new IllegalStateException("uploading part " + u.number() + " failed", e.getCause());
    }
    uploading.poll();
    spare.add(u.buffer());
    parts.add(CompletedPart.builder().partNumber(u.number()).eTag(etag).build());
    onPart.run();
  }

  private void start() {
    claim();
    String k = key;
    uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(k).contentType(CONTENT_TYPE).metadata(ownerTag()))
        .uploadId();
  }

  /** Claims a name with a placeholder, unless the writer has one already (a stream given up keeps it). */
  private void claim() {
    byte[] claim = ("merged file being written by compaction run " + owner + "\n").getBytes(StandardCharsets.UTF_8);
    while (key == null) {
      String k = names.get();
      try {
        placeholderEtag = s3.putObject(b -> b.bucket(bucket).key(k).contentType("text/plain").ifNoneMatch("*")
            .metadata(ownerTag()), RequestBody.fromBytes(claim)).eTag();
        key = k;
      } catch (RuntimeException e) {
        if (!S3Errors.isPreconditionFailed(e)) throw e;
        String mine = landedEarlier(k, claim.length);
        if (mine != null) {
          placeholderEtag = mine;
          key = k;
          break;
        }
        LOG.info("merged file s3://{}/{} exists already (crashed or concurrent run); taking the next name", bucket, k);
      }
    }
  }

  private Map<String, String> ownerTag() {
    return Map.of(OWNER_METADATA, owner);
  }

  /**
   * After a failed precondition on a create: whether the object is this writer's own, put by an earlier attempt of
   * the same request whose answer was lost (the SDK's retry then finds the name taken). Only the run id proves it:
   * another run may well have written the same bytes, and adopting its file would let this run delete it later.
   *
   * @return the object's ETag when it is ours, else null
   */
  private String landedEarlier(String k, long size) {
    try {
      HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(k));
      if (!owner.equals(head.metadata().get(OWNER_METADATA)) || head.contentLength() != size) return null;
      LOG.info("s3://{}/{} was created by an earlier attempt of this very request; keeping it", bucket, k);
      return head.eTag();
    } catch (RuntimeException e) {
      if (S3Errors.isNotFound(e)) return null;
      throw e;
    }
  }

  private void ensureCapacity(int needed) {
    if (needed <= buf.length) return;
    int size = buf.length;
    while (size < needed) size = (int) Math.min(partSize, size * 2L);
    buf = java.util.Arrays.copyOf(buf, size);
  }

  /** The buffer as a request body, without a copy; replayable for the SDK's retries. */
  private static RequestBody body(byte[] bytes, int length) {
    return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length, CONTENT_TYPE);
  }
}
