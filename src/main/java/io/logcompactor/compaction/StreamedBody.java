package io.logcompactor.compaction;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.core.exception.NonRetryableException;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * The body of a merged file sent as one streaming PUT: the writer hands over filled buffers, the SDK's sending thread
 * reads them in order and gives each back once it is sent. Nothing is kept to send again, so the body can be read
 * once only; a failed PUT is not retried by the SDK but written again by the caller, as a multipart upload.
 *
 * <p>A body that gets no bytes for {@code stallLimit} fails its read rather than keep the request open: S3 drops a
 * PUT whose body pauses for about 20 s, and a writer stuck behind a slow fetch should fall back to parts, each sent
 * only once it is full, rather than have the server give up on the whole file.
 */
final class StreamedBody {
  private record Chunk(byte[] buffer, int length) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Chunk> queued = new ArrayDeque<>();
  private final ArrayDeque<byte[]> sent = new ArrayDeque<>();
  private final long stallNanos;
  /** The chunk being read: the reading thread's alone until it is given back. */
  private Chunk reading;
  private int readAt;
  private boolean opened;
  private boolean ended;
  private volatile boolean abandoned;
  /** The request is over, sent or failed: no chunk is read any more. */
  private boolean over;

  StreamedBody(Duration stallLimit) {
    this.stallNanos = stallLimit.toNanos();
  }

  /** The body for the SDK: one stream, once. */
  ContentStreamProvider provider() {
    return () -> {
      lock.lock();
      try {
        if (opened) throw NonRetryableException.create("a streamed merged file cannot be sent twice");
        opened = true;
        return new Input();
      } finally {
        lock.unlock();
      }
    };
  }

  /** Hands a filled buffer over; it comes back from {@link #awaitSent} once sent. */
  void hand(byte[] buffer, int length) {
    change(() -> queued.add(new Chunk(buffer, length)));
  }

  /** Chunks handed over and not yet given back. */
  int inFlight() {
    lock.lock();
    try {
      return queued.size() + (reading == null ? 0 : 1);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for a chunk to be sent, or for the request to be over.
   *
   * @return the sent chunk's buffer, free again; null once the request is over (see {@link #remaining})
   */
  byte[] awaitSent() throws InterruptedException {
    lock.lock();
    try {
      while (sent.isEmpty() && !over) changed.await();
      return sent.poll();
    } finally {
      lock.unlock();
    }
  }

  /** Every byte is handed over: the stream ends once they are read. */
  void end() {
    change(() -> ended = true);
  }

  /** The file is given up: the stream fails from its next read, so the server never stores it. */
  void abandon() {
    change(() -> abandoned = true);
  }

  /** The request returned, either way: nothing is read any more. */
  void over() {
    change(() -> over = true);
  }

  /** Applies a change of state and wakes whoever waits on one. */
  private void change(Runnable change) {
    lock.lock();
    try {
      change.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Every buffer not yet given back; call once the request is over. */
  List<byte[]> remaining() {
    lock.lock();
    try {
      List<byte[]> all = new ArrayList<>(sent);
      if (reading != null) all.add(reading.buffer());
      queued.forEach(c -> all.add(c.buffer()));
      sent.clear();
      queued.clear();
      reading = null;
      return all;
    } finally {
      lock.unlock();
    }
  }

  private final class Input extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) return 0;
      if (abandoned) throw new IOException("merged file abandoned by its writer");
      if (reading == null || readAt == reading.length()) {
        if (!next()) return -1;
      }
      int n = Math.min(len, reading.length() - readAt);
      System.arraycopy(reading.buffer(), readAt, b, off, n);
      readAt += n;
      return n;
    }

    /** Gives the chunk read back and takes the next one, waiting up to the stall limit; false at the end. */
    private boolean next() throws IOException {
      lock.lock();
      try {
        if (reading != null) {
          sent.add(reading.buffer());
          reading = null;
          changed.signalAll();
        }
        long left = stallNanos;
        while (queued.isEmpty() && !ended && !abandoned) {
          if (left <= 0) {
            throw new IOException("no bytes to send for " + TimeUnit.NANOSECONDS.toSeconds(stallNanos)
                + " s: the merged file's body stalled");
          }
          left = changed.awaitNanos(left);
        }
        if (abandoned) throw new IOException("merged file abandoned by its writer");
        if (queued.isEmpty()) return false;
        reading = queued.poll();
        readAt = 0;
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for bytes to send", e);
      } finally {
        lock.unlock();
      }
    }
  }
}
