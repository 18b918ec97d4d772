package io.logcompactor.read;

import java.util.Arrays;

/**
 * A growable byte array that output lines are assembled in; reused line after line. As a reader's output, it hands
 * out chunks from the front and shrinks back after a large line.
 */
final class ByteSink {
  private final int initial;
  private byte[] data;
  private int size;

  ByteSink(int capacity) {
    initial = capacity;
    data = new byte[capacity];
  }

  int size() {
    return size;
  }

  byte[] data() {
    return data;
  }

  int last() {
    return data[size - 1];
  }

  void truncate(int newSize) {
    size = newSize;
  }

  void clear() {
    size = 0;
  }

  void write(byte[] b, int off, int len) {
    if (size + len > data.length) grow(len);
    System.arraycopy(b, off, data, size, len);
    size += len;
  }

  void write(byte b) {
    if (size == data.length) grow(1);
    data[size++] = b;
  }

  /** Removes and returns up to {@code max} bytes from the front. */
  byte[] take(int max) {
    int n = Math.min(max, size);
    byte[] out = Arrays.copyOf(data, n);
    System.arraycopy(data, n, data, 0, size - n);
    size -= n;
    if (size < initial && data.length > 4 * initial) data = Arrays.copyOf(data, initial);
    return out;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(data, size);
  }

  private void grow(int more) {
    data = Arrays.copyOf(data, Math.max(data.length * 2, size + more));
  }
}
