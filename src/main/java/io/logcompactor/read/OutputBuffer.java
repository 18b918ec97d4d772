package io.logcompactor.read;

import java.util.Arrays;

/** Formatted output waiting to be handed out in chunks; grows as needed, shrinks back after a large line. */
final class OutputBuffer {
  private static final int INITIAL = 80 * 1024;
  private byte[] data = new byte[INITIAL];
  private int size;

  int size() {
    return size;
  }

  void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, data, size, len);
    size += len;
  }

  void write(byte b) {
    ensure(1);
    data[size++] = b;
  }

  /** Removes and returns up to {@code max} bytes from the front. */
  byte[] take(int max) {
    int n = Math.min(max, size);
    byte[] out = Arrays.copyOf(data, n);
    System.arraycopy(data, n, data, 0, size - n);
    size -= n;
    if (size < INITIAL && data.length > 4 * INITIAL) data = Arrays.copyOf(data, INITIAL);
    return out;
  }

  private void ensure(int more) {
    if (size + more > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, size + more));
  }
}
