package io.logcompactor.read;

import io.logcompactor.layout.Keys;
import io.logcompactor.layout.MetadataCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A bucket in memory, as the reader sees it; can make one GET break after some bytes, like a dropped connection. */
final class MemoryJobStore implements JobStore, JobFixture.Bucket {
  private final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
  private final Map<String, Integer> breakAfter = new ConcurrentHashMap<>();
  final AtomicInteger opens = new AtomicInteger();
  /** The thread each GET was sent on, in order. */
  final List<String> openThreads = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public void put(String key, byte[] bytes) {
    objects.put(key, bytes.clone());
  }

  @Override
  public void delete(String key) {
    objects.remove(key);
  }

  /** The next GET of {@code key} fails with an IOException after {@code bytes} bytes. */
  void breakOnce(String key, int bytes) {
    breakAfter.put(key, bytes);
  }

  @Override
  public VersionedMetadata readMetadata(String pod) throws MetadataCodec.UnreadableMetadataException {
    byte[] b = objects.get(Keys.metadataKey(pod));
    if (b == null) return new VersionedMetadata(null, null);
    return new VersionedMetadata(MetadataCodec.parse(pod, b), Integer.toHexString(Arrays.hashCode(b)));
  }

  @Override
  public List<String> listRawKeys(String pod) {
    String prefix = Keys.rawPodPrefix(pod);
    return objects.subMap(prefix, prefix + Character.MAX_VALUE).keySet().stream().toList();
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    byte[] b = objects.get(key);
    if (b == null) throw new ObjectVanishedException(key);
    opens.incrementAndGet();
    openThreads.add(Thread.currentThread().getName());
    int len = length < 0 ? (int) (b.length - offset) : (int) length;
    Integer limit = breakAfter.remove(key);
    if (limit == null) return new ByteArrayInputStream(b, (int) offset, len);
    return new InputStream() {
      private final ByteArrayInputStream in = new ByteArrayInputStream(b, (int) offset, len);
      private int read;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] dst, int off, int n) throws IOException {
        if (read >= limit) throw new IOException("connection reset (test)");
        int r = in.read(dst, off, Math.min(n, limit - read));
        if (r > 0) read += r;
        return r;
      }
    };
  }

  @Override
  public boolean exists(String key) {
    return objects.containsKey(key);
  }
}
