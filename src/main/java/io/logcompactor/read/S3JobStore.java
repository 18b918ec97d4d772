package io.logcompactor.read;

import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import io.logcompactor.s3.S3Errors;
import io.logcompactor.s3.S3Store;
import io.logcompactor.s3.StoredObject;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/** {@link JobStore} on the bucket through the synchronous SDK client. */
public final class S3JobStore implements JobStore {
  private final S3Store store;

  public S3JobStore(S3Store store) {
    this.store = store;
  }

  @Override
  public VersionedMetadata readMetadata(String pod) throws MetadataCodec.UnreadableMetadataException {
    Optional<StoredObject> o = store.getSmallBlocking(Keys.metadataKey(pod));
    if (o.isEmpty()) return new VersionedMetadata(null, null);
    return new VersionedMetadata(MetadataCodec.parse(pod, o.get().bytes()), o.get().etag());
  }

  @Override
  public List<String> listRawKeys(String pod) {
    return store.listBlocking(Keys.rawPodPrefix(pod)).stream().map(S3Object::key).toList();
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = store.openBlocking(key, offset, length);
    } catch (RuntimeException e) {
      if (S3Errors.isNotFound(e)) throw new ObjectVanishedException(key);
      throw new IOException("GET " + key + " failed: " + e.getMessage(), e);
    }
    return new AbortOnEarlyClose(in);
  }

  @Override
  public boolean exists(String key) {
    return store.existsBlocking(key);
  }

  /** Closing before the end drops the connection instead of draining the rest of a large object. */
  private static final class AbortOnEarlyClose extends FilterInputStream {
    private final ResponseInputStream<GetObjectResponse> response;
    private boolean atEnd;

    AbortOnEarlyClose(ResponseInputStream<GetObjectResponse> in) {
      super(in);
      this.response = in;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n < 0) atEnd = true;
      return n;
    }

    @Override
    public void close() throws IOException {
      if (!atEnd) response.abort();
      super.close();
    }
  }
}
