package io.logcompactor.read;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte searches eight bytes at a time ("SIMD within a register"): every byte of a log passes through the line
 * splitter and most through the record scanner, and a byte loop is their cost. For a word {@code w}, a byte of
 * {@code w ^ repeat(v)} is zero where {@code w} holds {@code v}; {@code (x - ONES) & ~x & HIGHS} is non-zero exactly
 * when {@code x} has a zero byte, and its lowest set bit marks the first one (a borrow only moves upwards).
 */
final class Swar {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  static final long ONES = 0x0101010101010101L;
  static final long HIGHS = 0x8080808080808080L;

  private Swar() {}

  /** Eight bytes from {@code b[i]}, the first in the lowest byte. */
  static long word(byte[] b, int i) {
    return (long) LONGS.get(b, i);
  }

  static long repeat(int v) {
    return ONES * (v & 0xff);
  }

  /** Non-zero when a byte of {@code w} equals the byte {@code pattern} repeats; lowest set bit = first such. */
  static long matches(long w, long pattern) {
    long x = w ^ pattern;
    return (x - ONES) & ~x & HIGHS;
  }

  /** Index within the word of the first byte flagged in {@code mask}. */
  static int first(long mask) {
    return Long.numberOfTrailingZeros(mask) >>> 3;
  }
}
