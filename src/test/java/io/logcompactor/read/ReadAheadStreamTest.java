package io.logcompactor.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReadAheadStreamTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SplittableRandom(n).nextBytes(b);
    return b;
  }

  /** A source that hands out a few bytes per read, then fails with {@code failure} after {@code failAfter} bytes. */
  private static InputStream trickling(byte[] data, int failAfter, IOException failure) {
    return new InputStream() {
      int pos;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= failAfter && failure != null) throw failure;
        if (pos == data.length) return -1;
        int n = Math.min(Math.min(len, 7_001), Math.min(data.length, failAfter) - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  /** A source without end that fills every read whole, counting the bytes in {@code count[0]}. */
  private static InputStream endless(long[] count) {
    return new InputStream() {
      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        count[0] += len;
        return len;
      }
    };
  }

  @Test
  @DisplayName("reads a source of many buffers byte for byte, on a pool and on the caller's thread, copied or borrowed")
  void sameBytes() throws Exception {
    byte[] data = random(ReadAheadStream.BUFFER_BYTES * 9 + 123);
    for (java.util.concurrent.Executor ex : new java.util.concurrent.Executor[] {pool, Runnable::run}) {
      ByteArrayOutputStream copied = new ByteArrayOutputStream();
      try (ReadAheadStream in = new ReadAheadStream(trickling(data, Integer.MAX_VALUE, null), ex)) {
        byte[] buf = new byte[1000];
        int n;
        while ((n = in.read(buf, 0, buf.length)) > 0) copied.write(buf, 0, n);
      }
      assertThat(copied.toByteArray()).isEqualTo(data);

      ByteArrayOutputStream borrowed = new ByteArrayOutputStream();
      try (ReadAheadStream in = new ReadAheadStream(new ByteArrayInputStream(data), ex)) {
        in.skipNBytes(10);
        borrowed.write(data, 0, 10);
        byte[] b;
        while ((b = in.borrow()) != null) borrowed.write(b, in.borrowedOffset(), in.borrowedLength());
      }
      assertThat(borrowed.toByteArray()).isEqualTo(data);
    }
  }

  @Test
  @DisplayName("a failing source: every byte before the failure is read, then the same exception, of the same type")
  void failureAfterTheBytesBeforeIt() throws Exception {
    byte[] data = random(300_000);
    CorruptDataException corrupt = new CorruptDataException("bad member", null);
    try (ReadAheadStream in = new ReadAheadStream(trickling(data, 200_000, corrupt), pool)) {
      byte[] got = new byte[200_000];
      int off = 0;
      while (off < got.length) off += in.read(got, off, got.length - off);
      assertThat(got).isEqualTo(java.util.Arrays.copyOf(data, 200_000));
      assertThatThrownBy(() -> in.read(new byte[10], 0, 10)).isSameAs(corrupt);
    }
  }

  @Test
  @DisplayName("closed while a fill waits on its source: the fill ends, the source is closed once, the reader sees EOF")
  void closeWhileFilling() throws Exception {
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean sourceClosed = new AtomicBoolean();
    InputStream blocking = new InputStream() {
      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        reading.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        return -1;
      }

      @Override
      public void close() {
        assertThat(sourceClosed.getAndSet(true)).as("closed twice").isFalse();
      }
    };
    ReadAheadStream in = new ReadAheadStream(blocking, pool);
    assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
    in.close();
    assertThat(sourceClosed).as("not closed under a running fill").isFalse();
    release.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(sourceClosed).isTrue();
    assertThat(in.read(new byte[1], 0, 1)).isEqualTo(-1);
  }

  @Test
  @DisplayName("a pool that refuses the task fails the read instead of leaving it waiting")
  void refusedTask() {
    ExecutorService down = Executors.newSingleThreadExecutor();
    down.shutdown();
    ReadAheadStream in = new ReadAheadStream(new ByteArrayInputStream(new byte[10]), down);
    assertThatThrownBy(() -> in.read(new byte[1], 0, 1)).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
  }
  @Test
  @DisplayName("reads at most BUFFERS ahead, and a stopped fill restarts only once the reader has drained half of them")
  void boundedAheadWithHysteresis() throws Exception {
    java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();
    long[] sourceBytes = {0};
    InputStream endless = endless(sourceBytes);
    int buffer = ReadAheadStream.BUFFER_BYTES;
    try (ReadAheadStream in = new ReadAheadStream(endless, tasks::add)) {
      assertThat(tasks).hasSize(1);
      tasks.poll().run();
      assertThat(sourceBytes[0]).isEqualTo((long) ReadAheadStream.BUFFERS * buffer);
      int drained = ReadAheadStream.BUFFERS - ReadAheadStream.BUFFERS / 2;
      for (int i = 1; i < drained; i++) {
        assertThat(in.borrow()).isNotNull();
        assertThat(tasks).as("no fill restarted after %d of %d buffers taken", i, ReadAheadStream.BUFFERS).isEmpty();
      }
      assertThat(in.borrow()).isNotNull();
      assertThat(tasks).as("a fill once the reader is down to half the buffers").hasSize(1);
      tasks.poll().run();
      assertThat(sourceBytes[0]).as("refilled to BUFFERS ahead, not beyond")
          .isEqualTo((long) (ReadAheadStream.BUFFERS + drained) * buffer);
    }
  }

  @Test
  @DisplayName("a source that produces in bursts gets room for its largest burst ahead, up to MAX_BUFFERS")
  void roomForTheLargestBurst() throws Exception {
    int buffer = ReadAheadStream.BUFFER_BYTES;
    long[][] cases = {{3L * buffer + 1, ReadAheadStream.BUFFERS + 4}, {1L << 30, ReadAheadStream.MAX_BUFFERS}};
    for (long[] c : cases) {
      java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();
      long[] sourceBytes = {0};
      InputStream endless = endless(sourceBytes);
      // The burst is known once the source has produced it, as MultiMemberGzipInputStream reports a member.
      try (ReadAheadStream in = new ReadAheadStream(endless, tasks::add, () -> sourceBytes[0] > 0 ? c[0] : 0,
          new ReadAheadStream.Spares())) {
        tasks.poll().run();
        assertThat(sourceBytes[0]).as("read ahead for a burst of %d bytes", c[0]).isEqualTo(c[1] * buffer);
        long taken = 0;
        while (tasks.isEmpty()) {
          assertThat(in.borrow()).isNotNull();
          taken++;
        }
        assertThat(taken).as("a fill restarts once half of them are read").isEqualTo(c[1] - c[1] / 2);
      }
    }
  }

  @Test
  @DisplayName("a closed stream leaves its buffers to the next stream of the same reader")
  void buffersPassToTheNextStream() throws Exception {
    ReadAheadStream.Spares spares = new ReadAheadStream.Spares();
    byte[] data = random(ReadAheadStream.BUFFER_BYTES * 3);
    java.util.Set<byte[]> used = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    try (ReadAheadStream first = new ReadAheadStream(new ByteArrayInputStream(data), Runnable::run, () -> 0, spares)) {
      for (byte[] b = first.borrow(); b != null; b = first.borrow()) used.add(b);
    }
    assertThat(used).hasSize(3);
    assertThat(spares.size()).isEqualTo(3);
    try (ReadAheadStream second = new ReadAheadStream(new ByteArrayInputStream(data), Runnable::run, () -> 0,
        spares)) {
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      for (byte[] b = second.borrow(); b != null; b = second.borrow()) {
        assertThat(used).as("a buffer of the first stream").contains(b);
        read.write(b, second.borrowedOffset(), second.borrowedLength());
      }
      assertThat(read.toByteArray()).isEqualTo(data);
    }
  }
}
