package io.logcompactor.bench;

import io.logcompactor.local.FluentBitLogs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Fluent Bit-like data: JSON records whose messages vary like real application logs (ids, numbers, paths), so gzip
 * compresses them about as much as real logs, not 1000:1 like repeated text.
 */
final class BenchData {
  private static final String[] LEVELS = {"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"};
  private static final String[] PATHS = {"/api/v1/items", "/api/v1/orders", "/healthz", "/api/v2/search", "/login"};

  private BenchData() {}

  /** One raw object: gzip (level 6, as Fluent Bit writes) of JSON lines totalling about {@code plainBytes}. */
  static byte[] rawObject(FluentBitLogs.Container c, Instant start, int plainBytes, SplittableRandom rnd,
                          int level, long[] lineCounter) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(plainBytes / 3);
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024) {
      {
        def.setLevel(level);
      }
    }) {
      int written = 0;
      Instant t = start;
      while (written < plainBytes) {
        String msg = LEVELS[rnd.nextInt(LEVELS.length)] + " request id=" + Long.toHexString(rnd.nextLong())
            + " path=" + PATHS[rnd.nextInt(PATHS.length)] + "/" + rnd.nextInt(100_000) + " status="
            + (rnd.nextInt(10) == 0 ? 500 : 200) + " duration_ms=" + rnd.nextInt(2_000) + " user=u" + rnd.nextInt(50_000)
            + " line=" + lineCounter[0]++;
        byte[] line = (c.record(t, rnd.nextInt(8) == 0 ? "stderr" : "stdout", msg) + "\n")
            .getBytes(StandardCharsets.UTF_8);
        gz.write(line);
        written += line.length;
        t = t.plusMillis(3);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Uploads {@code count} raw objects of one container in parallel; returns total compressed bytes. */
  static long upload(S3Client s3, String bucket, FluentBitLogs.Container c, int count, int plainBytes, int level,
                     ExecutorService pool) throws Exception {
    List<Future<Integer>> futures = new ArrayList<>();
    Instant base = Instant.parse("2026-11-25T20:00:00Z");
    for (int i = 0; i < count; i++) {
      final int idx = i;
      futures.add(pool.submit(() -> {
        SplittableRandom rnd = new SplittableRandom(idx * 31L + c.id().hashCode());
        Instant t = base.plusSeconds(idx / 4 * 60L);
        byte[] body = rawObject(c, t, plainBytes, rnd, level, new long[] {idx * 1_000_000L});
        s3.putObject(b -> b.bucket(bucket).key(c.rawKey(t, idx % 4)), RequestBody.fromBytes(body));
        return body.length;
      }));
    }
    long total = 0;
    for (Future<Integer> f : futures) total += f.get();
    return total;
  }
}
