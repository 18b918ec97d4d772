package io.logcompactor.compaction;

import io.logcompactor.gzip.NativeGzip;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Strict validation of a gzip stream (RFC 1952): every member inflates to a clean end with a matching CRC-32 and
 * length, and nothing but another member follows. The JDK's GZIPInputStream silently ignores trailing garbage, which
 * would break the member after it once the object is concatenated into a merged file, hence this check.
 *
 * <p>Corruption is a result, never an exception: an {@link IOException} means the input could not be read (a
 * network failure), which must never get an object rejected.
 *
 * @param reason           null when valid, else what is wrong (the other fields are then zero)
 * @param members          gzip members found
 * @param uncompressedBytes total inflated length
 * @param lastByte         the last inflated byte, or -1 when the content is empty
 */
public record GzipCheck(String reason, int members, long uncompressedBytes, int lastByte) {
  private static final int FTEXT_RESERVED = 0xE0;
  private static final int FHCRC = 0x02;
  private static final int FEXTRA = 0x04;
  private static final int FNAME = 0x08;
  private static final int FCOMMENT = 0x10;
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64 * 1024]);
  /**
   * One inflater per thread, reset between objects: a merge checks thousands of small objects, and a new inflater
   * for each (native zlib state set up and torn down) cost more than inflating a 4 KiB object.
   */
  private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(() -> new Inflater(true));

  public boolean valid() {
    return reason == null;
  }

  /** Content that ends mid-line would join the next raw object's first line once concatenated. */
  public boolean endsWithoutNewline() {
    return lastByte >= 0 && lastByte != '\n';
  }

  /**
   * Smaller objects stay on zlib: it inflates them in microseconds, and a merge of thousands of them ran slower
   * through libdeflate (a decoder to wait for, a copy into native memory, the call's own cost, more code to compile).
   */
  static final int NATIVE_MIN_INPUT = 64 << 10;

  /**
   * Checks {@code bytes[0, length)}: libdeflate confirms a valid object of {@link #NATIVE_MIN_INPUT} bytes or more
   * when it can ({@link NativeGzip}), else zlib inflates straight from the array and gives the verdict.
   */
  public static GzipCheck of(byte[] bytes, int length) {
    GzipCheck confirmed = length >= NATIVE_MIN_INPUT ? confirmedNatively(bytes, length) : null;
    return confirmed != null ? confirmed : zlib(bytes, length);
  }

  /** @return the check of a valid object, by libdeflate, or null when zlib must decide */
  static GzipCheck confirmedNatively(byte[] bytes, int length) {
    NativeGzip.Confirmed c = NativeGzip.confirm(bytes, length);
    return c == null ? null : new GzipCheck(null, c.members(), c.uncompressedBytes(), c.lastByte());
  }

  /** {@link #of} without libdeflate. */
  static GzipCheck zlib(byte[] bytes, int length) {
    try {
      return check(new Input(bytes, length));
    } catch (IOException e) {
      throw new IllegalStateException("reading a byte array cannot fail", e);
    }
  }

  /** Reads {@code in} to its end, inflating every member to a null sink. */
  public static GzipCheck validate(InputStream in) throws IOException {
    return check(new Input(in));
  }

  private static GzipCheck check(Input input) throws IOException {
    // Reset before each member below, and after the last one.
    Inflater inflater = INFLATER.get();
    CRC32 crc = new CRC32();
    byte[] out = SCRATCH.get();
    int members = 0;
    long total = 0;
    int lastByte = -1;
    try {
      while (true) {
        int id1 = input.read();
        if (id1 < 0) {
          return members == 0 ? corrupt("empty stream") : new GzipCheck(null, members, total, lastByte);
        }
        int id2 = input.read();
        if (id1 != 0x1f || id2 != 0x8b) {
          return corrupt(members == 0 ? "no gzip magic"
              : "trailing bytes after gzip member " + members + " are not another member");
        }
        int member = members + 1;
        String headerProblem = skipHeader(input);
        if (headerProblem != null) return corrupt(headerProblem + " (member " + member + ")");

        inflater.reset();
        crc.reset();
        long memberBytes = 0;
        while (!inflater.finished()) {
          if (inflater.needsInput()) {
            if (!input.fill()) return corrupt("truncated: stream ends inside member " + member);
            inflater.setInput(input.buf, input.pos, input.lim - input.pos);
            input.pos = input.lim;
          }
          int n;
          try {
            n = inflater.inflate(out);
          } catch (DataFormatException e) {
            return corrupt("invalid deflate data in member " + member + ": " + e.getMessage());
          }
          if (n > 0) {
            crc.update(out, 0, n);
            memberBytes += n;
            lastByte = out[n - 1] & 0xff;
          } else if (inflater.needsDictionary()) {
            return corrupt("deflate data needs a preset dictionary (member " + member + ")");
          }
        }
        // Bytes handed to the inflater but not consumed belong to the trailer.
        input.pos -= inflater.getRemaining();
        long storedCrc = input.readIntLE();
        long storedSize = input.readIntLE();
        if (storedCrc < 0 || storedSize < 0) {
          return corrupt("truncated: stream ends inside the trailer of member " + member);
        }
        if (storedCrc != crc.getValue()) return corrupt("CRC-32 mismatch in member " + member);
        if (storedSize != (memberBytes & 0xffffffffL)) {
          return corrupt("length mismatch in member " + member);
        }
        members++;
        total += memberBytes;
      }
    } finally {
      // Its input may be the caller's array: not kept past this call.
      inflater.reset();
    }
  }

  private static GzipCheck corrupt(String reason) {
    return new GzipCheck(reason, 0, 0, -1);
  }

  /** @return null when the header after the magic bytes is well formed and skipped, else the problem */
  private static String skipHeader(Input in) throws IOException {
    int cm = in.read();
    int flg = in.read();
    if (cm < 0 || flg < 0) return "truncated header";
    if (cm != 8) return "compression method " + cm + " is not deflate";
    if ((flg & FTEXT_RESERVED) != 0) return "reserved header flags set";
    if (!in.skip(6)) return "truncated header"; // MTIME, XFL, OS
    if ((flg & FEXTRA) != 0) {
      int lo = in.read();
      int hi = in.read();
      if (lo < 0 || hi < 0 || !in.skip(lo | (hi << 8))) return "truncated extra field";
    }
    if ((flg & FNAME) != 0 && !in.skipZeroTerminated()) return "truncated file name";
    if ((flg & FCOMMENT) != 0 && !in.skipZeroTerminated()) return "truncated comment";
    if ((flg & FHCRC) != 0 && !in.skip(2)) return "truncated header CRC";
    return null;
  }

  /** A small buffered reader whose buffer the inflater reads from directly; or an array read in place. */
  private static final class Input {
    final InputStream in;
    final byte[] buf;
    int pos;
    int lim;

    Input(InputStream in) {
      this.in = in;
      this.buf = new byte[64 * 1024];
    }

    Input(byte[] bytes, int length) {
      this.in = null;
      this.buf = bytes;
      this.lim = length;
    }

    /** @return false at end of stream with nothing buffered */
    boolean fill() throws IOException {
      if (pos < lim) return true;
      if (in == null) return false;
      int n;
      do {
        n = in.read(buf, 0, buf.length);
      } while (n == 0);
      if (n < 0) return false;
      pos = 0;
      lim = n;
      return true;
    }

    int read() throws IOException {
      if (!fill()) return -1;
      return buf[pos++] & 0xff;
    }

    boolean skip(int n) throws IOException {
      for (int i = 0; i < n; i++) {
        if (read() < 0) return false;
      }
      return true;
    }

    boolean skipZeroTerminated() throws IOException {
      int b;
      while ((b = read()) > 0) {
        // the field's bytes are not needed
      }
      return b == 0;
    }

    /** @return the little-endian unsigned 32-bit value, or -1 at end of stream */
    long readIntLE() throws IOException {
      long v = 0;
      for (int i = 0; i < 4; i++) {
        int b = read();
        if (b < 0) return -1;
        v |= ((long) b) << (8 * i);
      }
      return v;
    }
  }
}
