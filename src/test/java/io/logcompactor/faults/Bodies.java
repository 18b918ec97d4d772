package io.logcompactor.faults;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Copies HTTP/1.1 message bodies as framed on the wire (RFC 9112 section 6), whole or cut in half. */
final class Bodies {
  private static final int BUFFER = 16 * 1024;

  private Bodies() {}

  static void relayRequest(HttpHead request, InputStream in, OutputStream out) throws IOException {
    if (request.chunked()) {
      relayChunked(in, out);
    } else if (request.contentLength() > 0) {
      copy(in, out, request.contentLength());
    }
  }

  static boolean responseHasBody(HttpHead request, HttpHead response) {
    int status = response.status();
    if ("HEAD".equalsIgnoreCase(request.method()) || status / 100 == 1 || status == 204 || status == 304) return false;
    if (response.chunked()) return true;
    long length = response.contentLength();
    return length != 0;
  }

  /** Whether the response's end can be found without the connection closing (keep-alive possible). */
  static boolean delimited(HttpHead request, HttpHead response) {
    return !responseHasBody(request, response) || response.chunked() || response.contentLength() >= 0;
  }

  static void relayResponse(HttpHead request, HttpHead response, InputStream in, OutputStream out) throws IOException {
    if (!responseHasBody(request, response)) return;
    if (response.chunked()) {
      relayChunked(in, out);
    } else if (response.contentLength() >= 0) {
      copy(in, out, response.contentLength());
    } else {
      in.transferTo(out);
    }
  }

  /** Relays about half of a response body that is known to be there; the caller then cuts the connection. */
  static void relayHalf(HttpHead response, InputStream in, OutputStream out) throws IOException {
    if (response.chunked()) {
      String line = readLine(in);
      out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      copy(in, out, chunkSize(line) / 2);
    } else if (response.contentLength() >= 0) {
      copy(in, out, response.contentLength() / 2);
    } else {
      byte[] buf = new byte[BUFFER];
      int n = in.read(buf);
      if (n > 0) out.write(buf, 0, n / 2);
    }
  }

  private static void relayChunked(InputStream in, OutputStream out) throws IOException {
    while (true) {
      String line = readLine(in);
      out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      long size = chunkSize(line);
      if (size == 0) {
        // Trailer section: header lines up to an empty one.
        String trailer;
        do {
          trailer = readLine(in);
          out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        } while (!trailer.isEmpty());
        return;
      }
      copy(in, out, size);
      String crlf = readLine(in);
      if (!crlf.isEmpty()) throw new IOException("chunk not followed by CRLF");
      out.write('\r');
      out.write('\n');
    }
  }

  private static long chunkSize(String line) throws IOException {
    int semi = line.indexOf(';');
    String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
    try {
      return Long.parseLong(hex, 16);
    } catch (NumberFormatException e) {
      throw new IOException("bad chunk size line: " + line);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(16);
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) throw new EOFException("connection closed inside a chunked body");
      if (buf.size() > 8192) throw new IOException("chunk line too long");
      if (b != '\r') buf.write(b);
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }

  private static void copy(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(BUFFER, Math.max(1, n))];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) throw new EOFException("connection closed with " + left + " body bytes to go");
      out.write(buf, 0, r);
      left -= r;
    }
  }
}
