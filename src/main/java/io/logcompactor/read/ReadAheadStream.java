package io.logcompactor.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads a stream ahead on another thread, a few buffers at most, so decoding (gzip inflate, the larger half of a
 * read's CPU) runs on one core while the reader splits and formats lines on another.
 *
 * <p>The work is handed to {@code executor} as short tasks: each fills the free buffers and returns, it never waits
 * for the reader. So a small shared pool serves any number of streams and cannot deadlock with the readers that
 * wait on it. The source is only ever touched by one task at a time. A failure of the source (a corrupt gzip member,
 * a broken GET) reaches the reader after every byte that came before it, as the same exception.
 */
final class ReadAheadStream extends InputStream {
  /**
   * Large buffers, few of them: every buffer handed over can wake a parked thread, and a wake-up costs far more than
   * the copy it saves (on the 2-core bench VM a woken thread waits ~100 us for a core). 256 KiB instead of 64 KiB
   * took the reader from ~3,500 to ~1,400 wake-ups per 500 MiB, and the CPU of both threads down by a tenth.
   */
  static final int BUFFER_BYTES = 256 * 1024;
  static final int BUFFERS = 4;
  /**
   * A fill that stopped on full buffers restarts once the reader has drained them to this many, not at every buffer
   * taken: that woke the decoding thread for one buffer's fill at a time, a hand-off between the two threads per
   * buffer.
   */
  static final int RESUME_AT = BUFFERS / 2;

  private final InputStream source;
  private final Executor executor;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<byte[]> filled = new ArrayDeque<>();
  private final ArrayDeque<Integer> lengths = new ArrayDeque<>();
  /** Buffers the reader is done with, for the next fills: a log's worth of garbage otherwise. */
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();
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
    this.source = source;
    this.executor = executor;
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
   * Starts a fill task when none runs and the reader is down to {@link #RESUME_AT} buffers. Called with the lock
   * held.
   */
  private void schedule() {
    if (producing || sourceDone || failure != null || closed || filled.size() > RESUME_AT) return;
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
        if (closed || filled.size() >= BUFFERS) {
          producing = false;
          if (closed) closeSource();
          changed.signalAll();
          return;
        }
        buf = free.isEmpty() ? new byte[BUFFER_BYTES] : free.poll();
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
      lock.lock();
      try {
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
}
