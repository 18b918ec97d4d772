package io.logcompactor.read;

import java.util.ArrayDeque;

/**
 * The last N output lines, for {@code tail=N}, in bounded memory: at most N lines and at most {@code maxBytes}
 * bytes (older lines are dropped first when a few huge lines would exceed it).
 */
final class TailRing {
  private final int lines;
  private final long maxBytes;
  private final ArrayDeque<byte[]> ring = new ArrayDeque<>();
  private long bytes;

  TailRing(int lines, long maxBytes) {
    this.lines = lines;
    this.maxBytes = maxBytes;
  }

  void add(byte[] line) {
    if (lines == 0) return;
    ring.addLast(line);
    bytes += line.length;
    while (ring.size() > lines || (bytes > maxBytes && ring.size() > 1)) bytes -= ring.removeFirst().length;
  }

  void drainTo(ByteSink out) {
    byte[] line;
    while ((line = ring.pollFirst()) != null) out.write(line, 0, line.length);
    bytes = 0;
  }
}
