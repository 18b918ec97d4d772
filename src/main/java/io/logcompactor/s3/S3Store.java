package io.logcompactor.s3;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The bucket, as Vert.x futures. Every call runs the synchronous SDK client on the named worker pool
 * {@value #POOL}, never on an event loop; results complete on the caller's context. Code that is already on a
 * worker thread (a merge, a read) uses {@link #client()} directly.
 */
public final class S3Store {
  public static final String POOL = "s3-io";

  private final S3Client client;
  private final String bucket;
  private final WorkerExecutor pool;

  public S3Store(Vertx vertx, S3Client client, String bucket, int concurrency) {
    this.client = client;
    this.bucket = bucket;
    // maxExecuteTime is generous: a multipart PUT of a 64 MiB merged file is one call.
    this.pool = vertx.createSharedWorkerExecutor(POOL, concurrency, 10, java.util.concurrent.TimeUnit.MINUTES);
  }

  public S3Client client() {
    return client;
  }

  public String bucket() {
    return bucket;
  }

  /** Runs blocking S3 work on the pool; unordered, so independent calls proceed in parallel. */
  public <T> Future<T> blocking(Callable<T> work) {
    return pool.executeBlocking(work, false);
  }

  /**
   * {@link #blocking} for a caller that waits on a thread of its own (a merge's writer, which takes its raw objects in
   * order): the result completes on the pool's thread and wakes the caller directly. Through a Vert.x future it would
   * first go to the caller's context, an event loop, to be passed on: one more thread woken for every raw object, which
   * cost the event loop 30-55 ms of CPU in each 2,000-object merge of the benchmark.
   *
   * <p>Fails like {@link #blocking}: a closed pool refuses the task at once, by throwing.
   */
  public <T> CompletableFuture<T> blockingDirect(Callable<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    // Nothing listens to the Vert.x future, so completing it wakes no other thread.
    pool.executeBlocking(() -> {
      try {
        result.complete(work.call());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
      return null;
    }, false);
    return result;
  }

  /** Every object under {@code prefix}, all pages, in key order. */
  public Future<List<S3Object>> list(String prefix) {
    return blocking(() -> listBlocking(prefix));
  }

  public List<S3Object> listBlocking(String prefix) {
    return listBlocking(prefix, page -> {});
  }

  /**
   * {@link #listBlocking(String)}, handing each page but the last to {@code beforeNextPage} as soon as it arrives, so
   * that work on it can start while the next one is listed.
   */
  public List<S3Object> listBlocking(String prefix, Consumer<List<S3Object>> beforeNextPage) {
    List<S3Object> out = new ArrayList<>();
    String token = null;
    do {
      ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
      if (token != null) req.continuationToken(token);
      ListObjectsV2Response page = client.listObjectsV2(req.build());
      out.addAll(page.contents());
      token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      if (token != null) beforeNextPage.accept(page.contents());
    } while (token != null);
    return out;
  }

  /** A small object read whole with its ETag, or empty when it does not exist. */
  public Future<Optional<StoredObject>> getSmall(String key) {
    return blocking(() -> getSmallBlocking(key));
  }

  public Optional<StoredObject> getSmallBlocking(String key) {
    try {
      ResponseBytes<GetObjectResponse> r = client.getObjectAsBytes(b -> b.bucket(bucket).key(key));
      return Optional.of(new StoredObject(r.asByteArray(), r.response().eTag()));
    } catch (RuntimeException e) {
      if (S3Errors.isNotFound(e)) return Optional.empty();
      throw e;
    }
  }

  /**
   * Opens a streaming GET of {@code key}, or of its bytes [offset, offset + length) when {@code length >= 0}. The
   * caller reads it on its worker thread and closes it; {@link ResponseInputStream#abort()} drops the connection when
   * the rest is not wanted (cheaper than draining a large object).
   */
  public ResponseInputStream<GetObjectResponse> openBlocking(String key, long offset, long length) {
    GetObjectRequest.Builder b = GetObjectRequest.builder().bucket(bucket).key(key);
    if (length >= 0) {
      if (length == 0) throw new IllegalArgumentException("empty range of " + key);
      b.range("bytes=" + offset + "-" + (offset + length - 1));
    } else if (offset > 0) {
      b.range("bytes=" + offset + "-");
    }
    return client.getObject(b.build());
  }

  /** Whether {@code key} exists (HEAD). */
  public boolean existsBlocking(String key) {
    try {
      client.headObject(b -> b.bucket(bucket).key(key));
      return true;
    } catch (RuntimeException e) {
      if (S3Errors.isNotFound(e)) return false;
      throw e;
    }
  }

  /** Creates {@code key} only if it does not exist (If-None-Match: *); fails with a 412 otherwise. */
  public Future<String> putIfAbsent(String key, byte[] bytes, String contentType) {
    return blocking(() -> putBlocking(key, bytes, contentType, b -> b.ifNoneMatch("*")));
  }

  /** Replaces {@code key} only if its ETag is still {@code etag} (If-Match); fails with a 412 otherwise. */
  public Future<String> putIfMatch(String key, byte[] bytes, String contentType, String etag) {
    return blocking(() -> putBlocking(key, bytes, contentType, b -> b.ifMatch(etag)));
  }

  /** Unconditional write, for idempotent markers. */
  public Future<String> put(String key, byte[] bytes, String contentType) {
    return blocking(() -> putBlocking(key, bytes, contentType, b -> {}));
  }

  public String putBlocking(String key, byte[] bytes, String contentType,
                            java.util.function.Consumer<PutObjectRequest.Builder> condition) {
    PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType);
    condition.accept(b);
    return client.putObject(b.build(), RequestBody.fromBytes(bytes)).eTag();
  }

  /** Deletes one object; deleting a missing one succeeds, as S3 does. */
  public Future<Void> delete(String key) {
    return blocking(() -> {
      client.deleteObject(b -> b.bucket(bucket).key(key));
      return null;
    });
  }

  /** Deletes many objects, 1,000 a request. @return the keys S3 reported it could not delete */
  public Future<List<String>> deleteAll(List<String> keys) {
    return blocking(() -> deleteAllBlocking(keys));
  }

  public List<String> deleteAllBlocking(List<String> keys) {
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += 1000) {
      List<ObjectIdentifier> ids = keys.subList(i, Math.min(keys.size(), i + 1000)).stream()
          .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
      DeleteObjectsResponse r = client.deleteObjects(b -> b.bucket(bucket)
          .delete(Delete.builder().objects(ids).quiet(true).build()));
      for (S3Error e : r.errors()) failed.add(e.key());
    }
    return failed;
  }

  /**
   * Deletes many objects, 1,000 a request, each only while its ETag is the one given (a null ETag deletes
   * unconditionally): S3 conditional deletes, so an object replaced since it was looked at is left alone.
   *
   * @return S3's error for each key it did not delete ({@code PreconditionFailed} when the ETag differs; AWS may
   *     report {@code NoSuchKey} for a conditional delete of a missing key, which callers treat as deleted)
   */
  public java.util.Map<String, S3Error> deleteAllIfMatchBlocking(java.util.Map<String, String> etags) {
    java.util.Map<String, S3Error> errors = new java.util.HashMap<>();
    List<ObjectIdentifier> ids = etags.entrySet().stream()
        .map(e -> ObjectIdentifier.builder().key(e.getKey()).eTag(e.getValue()).build()).toList();
    for (int i = 0; i < ids.size(); i += 1000) {
      List<ObjectIdentifier> batch = ids.subList(i, Math.min(ids.size(), i + 1000));
      DeleteObjectsResponse r = client.deleteObjects(b -> b.bucket(bucket)
          .delete(Delete.builder().objects(batch).quiet(true).build()));
      for (S3Error e : r.errors()) errors.put(e.key(), e);
    }
    return errors;
  }

  /** Bucket reachable with our credentials: the readiness check. */
  public Future<Void> ping() {
    return blocking(() -> {
      client.headBucket(b -> b.bucket(bucket));
      return null;
    });
  }

  public void close() {
    pool.close();
  }
}
