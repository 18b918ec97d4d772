package io.logcompactor.read;

import java.util.Arrays;

/** A growable byte array that output lines are assembled in; reused line after line. */
final class ByteSink {
  private byte[] data;
  private int size;

  ByteSink(int capacity) {
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

  byte[] toByteArray() {
    return Arrays.copyOf(data, size);
  }

  private void grow(int more) {
    data = Arrays.copyOf(data, Math.max(data.length * 2, size + more));
  }
}
