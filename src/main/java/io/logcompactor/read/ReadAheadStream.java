package io.logcompactor.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Reads a stream ahead on another thread, a few buffers at most, so decoding (gzip inflate, the larger half of a
 * read's CPU) runs on one core while the reader splits and formats lines on another.
 *
 * <p>The work is handed to {@code executor} as short tasks: each fills the free buffers and returns, it never waits
 * for the reader. So a small shared pool serves any number of streams and cannot deadlock with the readers that
 * wait on it. The source is only ever touched by one task at a time. A failure of the source (a corrupt gzip member,
 * a broken GET) reaches the reader after every byte that came before it, as the same exception.
 *
 * <p>A source that produces its bytes in bursts (libdeflate inflates a whole gzip member in one call) gets room for
 * its largest burst on top of the usual few buffers. With only the few, the two threads took turns instead of
 * overlapping: the decoder inflated a 5 MiB member while the reader had 1 MiB left to split, and then waited while
 * the reader split the other 4 MiB (the read bench: 774 ms with 1 MiB ahead, 645 ms with 6 MiB).
 */
final class ReadAheadStream extends InputStream {
  /**
   * Large buffers, few of them: every buffer handed over can wake a parked thread, and a wake-up costs far more than
   * the copy it saves (on the 2-core bench VM a woken thread waits ~100 us for a core). 256 KiB instead of 64 KiB
   * took the reader from ~3,500 to ~1,400 wake-ups per 500 MiB, and the CPU of both threads down by a tenth.
   */
  static final int BUFFER_BYTES = 256 * 1024;
  static final int BUFFERS = 4;
  /** The most buffers ahead, whatever the bursts: 16 MiB (libdeflate's largest member output) plus {@link #BUFFERS}. */
  static final int MAX_BUFFERS = (16 << 20) / BUFFER_BYTES + BUFFERS;

  private final InputStream source;
  private final Executor executor;
  private final LongSupplier largestBurst;
  /** Buffers the fills keep ahead of the reader: {@link #BUFFERS} plus the largest burst seen so far. */
  private int ahead = BUFFERS;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<byte[]> filled = new ArrayDeque<>();
  private final ArrayDeque<Integer> lengths = new ArrayDeque<>();
  /** Buffers the reader is done with, for the next fills: a log's worth of garbage otherwise. */
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();
  private final Spares spares;
  private byte[] current;
  private int pos;
  private int lim;
  private int borrowedOffset;
  private int borrowedLength;
  private boolean producing;
  private boolean sourceDone;
  private Throwable failure;
  private boolean closed;
  private boolean sourceClosed;

  ReadAheadStream(InputStream source, Executor executor) {
    this(source, executor, () -> 0, new Spares());
  }

  /**
   * @param largestBurst the most bytes the source has produced in one go so far (read by the filling thread after
   *     each read of the source)
   * @param spares where this stream takes its buffers from and, closed, leaves them for the next stream of its reader
   */
  ReadAheadStream(InputStream source, Executor executor, LongSupplier largestBurst, Spares spares) {
    this.source = source;
    this.executor = executor;
    this.largestBurst = largestBurst;
    this.spares = spares;
    lock.lock();
    try {
      schedule();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) return 0;
    if (pos == lim && !next()) return -1;
    int n = Math.min(len, lim - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  /**
   * Reads without a copy: the next bytes, in this stream's own buffer at [{@link #borrowedOffset()},
   * +{@link #borrowedLength()}), and counts them as read. Valid until the next read of any kind.
   *
   * @return the buffer, or null at the end of the stream
   */
  byte[] borrow() throws IOException {
    if (pos == lim && !next()) return null;
    borrowedOffset = pos;
    borrowedLength = lim - pos;
    pos = lim;
    return current;
  }

  /** Whether every byte of the source has been read into the buffers: the reader has the rest in memory. */
  boolean sourceDone() {
    lock.lock();
    try {
      return sourceDone;
    } finally {
      lock.unlock();
    }
  }

  int borrowedOffset() {
    return borrowedOffset;
  }

  int borrowedLength() {
    return borrowedLength;
  }

  /** Takes the next filled buffer, waiting for it. @return false at the end of the source */
  private boolean next() throws IOException {
    lock.lock();
    try {
      while (filled.isEmpty()) {
        if (failure != null) throw rethrow(failure);
        if (sourceDone || closed) return false;
        schedule();
        try {
          // Woken by every change; the timeout only guards against a lost wake-up.
          changed.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while reading ahead");
        }
      }
      if (current != null) free.add(current);
      current = filled.poll();
      lim = lengths.poll();
      pos = 0;
      schedule();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts a fill task when none runs and the reader is down to half the buffers kept ahead. Not at every buffer
   * taken: that woke the decoding thread for one buffer's fill at a time, a hand-off between the two threads per
   * buffer. Called with the lock held.
   */
  private void schedule() {
    if (producing || sourceDone || failure != null || closed || filled.size() > resumeAt()) return;
    producing = true;
    try {
      executor.execute(this::fill);
    } catch (RuntimeException rejected) {
      producing = false;
      failure = rejected;
      changed.signalAll();
    }
  }

  /** One task: fills free buffers from the source, then returns. */
  private void fill() {
    while (true) {
      byte[] buf;
      lock.lock();
      try {
        if (closed || filled.size() >= ahead) {
          producing = false;
          if (closed) closeSource();
          changed.signalAll();
          return;
        }
        buf = free.isEmpty() ? spares.take() : free.poll();
      } finally {
        lock.unlock();
      }
      int n = 0;
      Throwable error = null;
      boolean end = false;
      try {
        while (n < buf.length) {
          int r = source.read(buf, n, buf.length - n);
          if (r < 0) {
            end = true;
            break;
          }
          n += r;
        }
      } catch (Throwable t) {
        error = t;
      }
      int wanted = wantedAhead();
      lock.lock();
      try {
        ahead = wanted;
        if (n > 0) {
          filled.add(buf);
          lengths.add(n);
        }
        if (error != null || end) {
          if (error != null) failure = error;
          else sourceDone = true;
          producing = false;
          closeSource();
          changed.signalAll();
          return;
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Called on the filling thread. */
  private int wantedAhead() {
    long burst = largestBurst.getAsLong();
    if (burst <= 0) return BUFFERS;
    return (int) Math.min(MAX_BUFFERS, BUFFERS + (burst + BUFFER_BYTES - 1) / BUFFER_BYTES);
  }

  /** The reader's count of buffers at which a stopped fill restarts. Called with the lock held. */
  private int resumeAt() {
    return ahead / 2;
  }

  /** Called with the lock held, by whoever finds the source idle for good. */
  private void closeSource() {
    if (sourceClosed) return;
    sourceClosed = true;
    try {
      source.close();
    } catch (IOException | RuntimeException ignored) {
      // The reader is done with it either way.
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      // Not the buffer a running fill holds: that one is dropped.
      spares.keep(free);
      spares.keep(filled);
      if (current != null) spares.keep(List.of(current));
      current = null;
      pos = lim = 0;
      filled.clear();
      lengths.clear();
      free.clear();
      // A running task closes the source when it next looks; otherwise nobody will touch it again.
      if (!producing) closeSource();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private static IOException rethrow(Throwable t) {
    if (t instanceof IOException io) return io;
    if (t instanceof RuntimeException r) throw r;
    if (t instanceof Error e) throw e;
    return new IOException(t);
  }

  /**
   * Buffers handed from one stream to the next of the same reader: a job's read opens a stream per object, and each
   * would otherwise allocate its read-ahead anew (up to {@link #MAX_BUFFERS}, 17 MiB, for large members).
   */
  static final class Spares {
    private final ArrayDeque<byte[]> buffers = new ArrayDeque<>();

    synchronized byte[] take() {
      byte[] b = buffers.poll();
      return b != null ? b : new byte[BUFFER_BYTES];
    }

    synchronized void keep(Collection<byte[]> kept) {
      for (byte[] b : kept) {
        if (buffers.size() >= MAX_BUFFERS) return;
        buffers.push(b);
      }
    }

    synchronized int size() {
      return buffers.size();
    }
  }
}
