package io.logcompactor.gzip;

import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libdeflate for the gzip work that dominates a merge (proving each raw object intact) and a read (inflating merged
 * files), where it can be used; decided once per JVM.
 *
 * <p>It needs the JVM flags {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED} (the
 * Dockerfile, the Makefile and the tests pass them: the pom's {@code native.jvm.flags}) and {@code libdeflate.so.0}
 * (Debian and Ubuntu package {@code libdeflate0}). Without either, everything runs on the JDK's zlib with the same
 * results; leaving the flags out is how to turn it off. libdeflate only ever inflates members it accepts whole:
 * anything else (damage, a member larger than its buffers) goes to zlib, which gives every verdict and every error
 * message, so a difference between the two libraries can cost time, never a line.
 */
public final class NativeGzip {
  /** The most one member may inflate to in libdeflate's buffers; a larger one goes to zlib. */
  public static final long MAX_OUTPUT = 16 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(NativeGzip.class);
  private static final String MODULE = "jdk.incubator.foreign";
  /** Typed as Object: naming LibDeflate here would load it, which fails when the module is absent. */
  private static final Object LIBRARY = load();
  /** Decoders for whole objects: inflating is bound by CPU, so no more at once than there are cores. */
  private static final BlockingQueue<Decoder> POOL = pool();
  /** Stream decoders made, in use or idle: each holds native memory until the garbage collector frees it. */
  private static final Semaphore STREAM_DECODERS = new Semaphore(cores());
  private static final Deque<Decoder> IDLE_STREAM_DECODERS = new ConcurrentLinkedDeque<>();

  private NativeGzip() {}

  /** What {@link Decoder#member} did. */
  public enum Outcome {
    /** A whole valid member: {@link Decoder#consumed()} input bytes, {@link Decoder#produced()} output bytes. */
    INFLATED,
    /** Not accepted (damage, trailing bytes, input that ends early): zlib decides. */
    REFUSED,
    /** More output than the decoder may hold: zlib inflates it. */
    TOO_LARGE
  }

  /** A libdeflate decompressor with native input and output buffers, used by one thread at a time. */
  public interface Decoder extends AutoCloseable {
    /** Copies {@code bytes[offset, offset + length)} into the native input, replacing what was there. */
    void load(byte[] bytes, int offset, int length);

    /**
     * Inflates the one gzip member starting at {@code offset} of the loaded input.
     *
     * @param sizeHint its expected inflated size, when known (else 0): sizes the output at once
     */
    Outcome member(long offset, long sizeHint);

    long consumed();

    long produced();

    /** Output byte {@code index} of the last inflated member. */
    int byteAt(long index);

    /** Copies output {@code [from, from + length)} of the last inflated member into {@code dst}. */
    void copyOut(long from, byte[] dst, int offset, int length);

    @Override
    void close();
  }

  /** Stream decoders closed and kept for the next stream (for tests). */
  static int idleStreamDecoders() {
    return IDLE_STREAM_DECODERS.size();
  }

  /** A valid gzip object: its members, inflated length and last inflated byte (-1 when it inflates to nothing). */
  public record Confirmed(int members, long uncompressedBytes, int lastByte) {}

  /** @return "libdeflate" or "zlib" */
  public static String engine() {
    return LIBRARY != null ? "libdeflate" : "zlib";
  }

  /**
   * @return a decoder of its own for a stream, to close when done; null when libdeflate is not available, a decoder
   *     cannot be made (the stream then decodes with zlib rather than fail), or as many stream decoders as there are
   *     cores are in use (each may hold up to 17 MiB of native memory, and reads are not otherwise limited in number)
   */
  public static Decoder newDecoder() {
    if (LIBRARY == null) return null;
    Decoder idle = IDLE_STREAM_DECODERS.pollFirst();
    if (idle != null) return new Lease(idle);
    if (!STREAM_DECODERS.tryAcquire()) return null;
    try {
      return new Lease(((LibDeflate) LIBRARY).newDecoder(MAX_OUTPUT, STREAM_DECODERS::release));
    } catch (RuntimeException e) {
      STREAM_DECODERS.release();
      LOG.warn("gzip: no libdeflate decoder for a stream, zlib decodes it: {}", e.toString());
      return null;
    }
  }

  /**
   * A stream decoder on loan: closing it keeps the decoder for the next stream. A new decoder's output buffer starts
   * at 1 MiB and grows when a member does not fit, and a member that did not fit is inflated again: for the 5 MiB
   * members of Fluent Bit's uploads, a fresh decoder per read unit inflated every unit's first member twice (10 MiB
   * of work for 5). A lease that is never closed is freed with its decoder by the garbage collector.
   */
  private static final class Lease implements Decoder {
    private final Decoder decoder;
    private boolean returned;

    Lease(Decoder decoder) {
      this.decoder = decoder;
    }

    @Override
    public void load(byte[] bytes, int offset, int length) {
      live().load(bytes, offset, length);
    }

    @Override
    public Outcome member(long offset, long sizeHint) {
      return live().member(offset, sizeHint);
    }

    @Override
    public long consumed() {
      return live().consumed();
    }

    @Override
    public long produced() {
      return live().produced();
    }

    @Override
    public int byteAt(long index) {
      return live().byteAt(index);
    }

    @Override
    public void copyOut(long from, byte[] dst, int offset, int length) {
      live().copyOut(from, dst, offset, length);
    }

    /** The decoder, unless this lease was closed: by then it may be another stream's. */
    private Decoder live() {
      if (returned) throw new IllegalStateException("stream decoder used after close");
      return decoder;
    }

    @Override
    public void close() {
      if (returned) return;
      returned = true;
      // Last in, first out: the most recently used decoder has the largest buffers in use.
      IDLE_STREAM_DECODERS.addFirst(decoder);
    }
  }

  /**
   * Checks a whole gzip object held in memory, as {@code io.logcompactor.compaction.GzipCheck} would with zlib but
   * only ever confirming.
   *
   * @return the figures of a valid object, or null when zlib must decide (no libdeflate, or it did not accept every
   *     member whole)
   */
  public static Confirmed confirm(byte[] bytes, int length) {
    if (POOL == null || length < 18) return null;
    Decoder decoder;
    try {
      decoder = POOL.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    try {
      return confirm(decoder, bytes, length);
    } finally {
      POOL.add(decoder);
    }
  }

  private static Confirmed confirm(Decoder decoder, byte[] bytes, int length) {
    decoder.load(bytes, 0, length);
    // The last member's size, from its trailer: exact for the usual one-member object, a first guess otherwise.
    long hint = (bytes[length - 4] & 0xffL) | (bytes[length - 3] & 0xffL) << 8 | (bytes[length - 2] & 0xffL) << 16
        | (bytes[length - 1] & 0xffL) << 24;
    long offset = 0;
    long total = 0;
    int members = 0;
    int lastByte = -1;
    while (offset < length) {
      // The zlib check's own header rules (magic, deflate, no reserved flags), whatever libdeflate allows.
      int at = (int) offset;
      if (length - at < 18 || bytes[at] != 0x1f || bytes[at + 1] != (byte) 0x8b || bytes[at + 2] != 8
          || (bytes[at + 3] & 0xE0) != 0) {
        return null;
      }
      if (decoder.member(offset, Math.min(hint, MAX_OUTPUT)) != Outcome.INFLATED) return null;
      long produced = decoder.produced();
      if (produced > 0) lastByte = decoder.byteAt(produced - 1);
      offset += decoder.consumed();
      total += produced;
      members++;
    }
    return new Confirmed(members, total, lastByte);
  }

  /** @return the decoders for whole objects, or null when there are none (the check then stays on zlib) */
  private static BlockingQueue<Decoder> pool() {
    if (LIBRARY == null) return null;
    BlockingQueue<Decoder> pool = new ArrayBlockingQueue<>(cores());
    try {
      for (int i = 0; i < cores(); i++) pool.add(((LibDeflate) LIBRARY).newDecoder(MAX_OUTPUT, () -> { }));
    } catch (RuntimeException e) {
      // Fewer decoders only means less parallel inflating; none means zlib. Never an empty pool to wait on.
      LOG.warn("gzip: {} of {} libdeflate decoders for merges could be made: {}", pool.size(), cores(), e.toString());
    }
    return pool.isEmpty() ? null : pool;
  }

  private static int cores() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  private static Object load() {
    if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
      LOG.info("gzip: zlib (start the JVM with --add-modules {} --enable-native-access=ALL-UNNAMED, with libdeflate0 "
          + "installed, for libdeflate)", MODULE);
      return null;
    }
    try {
      Object library = LibDeflate.open();
      LOG.info("gzip: libdeflate for whole members, zlib for the rest");
      return library;
    } catch (Throwable t) {
      LOG.warn("gzip: zlib only, libdeflate could not be used: {}", t.toString());
      return null;
    }
  }
}
