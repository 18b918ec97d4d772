package io.logcompactor.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A GET whose response body is read through a socket with a fixed receive buffer. Left to the kernel's autotuning, a
 * client that reads slowly lets its socket grow as large as tcp_rmem allows (32 MiB on some hosts), so the service can
 * run that far ahead of what the test has read; the JDK's HttpClient cannot set the buffer.
 */
final class FixedWindowGet {
  private FixedWindowGet() {}

  /** Sends the GET and reads the head. @return the de-chunked body of a 200 response; closing it closes the socket */
  static InputStream open(int port, String path, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    try {
      // Before connecting: the window is agreed in the handshake.
      socket.setReceiveBufferSize(receiveBuffer);
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
      socket.setSoTimeout(60_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
      String status = line(in);
      if (!status.startsWith("HTTP/1.1 200 ")) throw new IOException("GET " + path + ": " + status);
      boolean chunked = false;
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        chunked |= h.toLowerCase(Locale.ROOT).replace(" ", "").equals("transfer-encoding:chunked");
      }
      if (!chunked) throw new IOException("GET " + path + ": expected a chunked body");
      return new Chunked(in, socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) throw new EOFException("connection closed inside a line");
      if (c != '\r') b.write(c);
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  /** The data of an HTTP/1.1 chunked body (RFC 9112, section 7.1), ending at the last chunk. */
  private static final class Chunked extends InputStream {
    private final InputStream in;
    private final Socket socket;
    private long left;
    private boolean started;
    private boolean ended;

    Chunked(InputStream in, Socket socket) {
      this.in = in;
      this.socket = socket;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) return 0;
      if (left == 0 && !nextChunk()) return -1;
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) throw new EOFException("connection closed inside a chunk");
      left -= n;
      return n;
    }

    /** @return false at the last chunk, whose trailer is read */
    private boolean nextChunk() throws IOException {
      if (ended) return false;
      if (left == 0 && started) line(in); // the CRLF after the previous chunk's data
      started = true;
      String size = line(in);
      int ext = size.indexOf(';');
      left = Long.parseLong((ext < 0 ? size : size.substring(0, ext)).trim(), 16);
      if (left > 0) return true;
      while (!line(in).isEmpty()) {
        // trailer fields are not needed
      }
      ended = true;
      return false;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
