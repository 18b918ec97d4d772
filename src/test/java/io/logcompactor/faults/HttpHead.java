package io.logcompactor.faults;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The start line and headers of one HTTP/1.1 message, as read off the wire. Just enough of HTTP for a proxy that
 * must find where each message's body ends (Content-Length, chunked, or until close).
 */
final class HttpHead {
  private static final int MAX_HEAD_BYTES = 64 * 1024;

  private final String startLine;
  private final List<String[]> headers;

  private HttpHead(String startLine, List<String[]> headers) {
    this.startLine = startLine;
    this.headers = headers;
  }

  /** @return the next head on {@code in}, or null when the peer closed the connection between messages */
  static HttpHead read(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
    int state = 0; // how much of CR LF CR LF has been seen
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        if (buf.size() == 0) return null;
        throw new EOFException("connection closed inside an HTTP head");
      }
      buf.write(b);
      if (buf.size() > MAX_HEAD_BYTES) throw new IOException("HTTP head longer than " + MAX_HEAD_BYTES + " bytes");
      state = switch (state) {
        case 0, 2 -> b == '\r' ? state + 1 : 0;
        case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
        default -> 0;
      };
    }
    String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) throw new IOException("malformed header line: " + lines[i]);
      headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
    }
    return new HttpHead(lines[0], headers);
  }

  String method() {
    return part(0);
  }

  /** The request target as sent: path and query, still URL-encoded. */
  String target() {
    return part(1);
  }

  int status() {
    return Integer.parseInt(part(1));
  }

  private String part(int i) {
    String[] parts = startLine.split(" ", 3);
    return i < parts.length ? parts[i] : "";
  }

  String header(String name) {
    for (String[] h : headers) {
      if (h[0].equalsIgnoreCase(name)) return h[1];
    }
    return null;
  }

  HttpHead without(String name) {
    List<String[]> kept = new ArrayList<>();
    for (String[] h : headers) {
      if (!h[0].equalsIgnoreCase(name)) kept.add(h);
    }
    return new HttpHead(startLine, kept);
  }

  boolean chunked() {
    String te = header("transfer-encoding");
    return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
  }

  /** @return the Content-Length, or -1 when there is none */
  long contentLength() {
    String cl = header("content-length");
    return cl == null ? -1 : Long.parseLong(cl.trim());
  }

  boolean expectsContinue() {
    String e = header("expect");
    return e != null && e.equalsIgnoreCase("100-continue");
  }

  boolean closesConnection() {
    String c = header("connection");
    return c != null && c.toLowerCase(Locale.ROOT).contains("close");
  }

  byte[] bytes() {
    StringBuilder sb = new StringBuilder(startLine).append("\r\n");
    for (String[] h : headers) sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
    return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return startLine;
  }
}
