package io.logcompactor.faults;

import java.nio.charset.StandardCharsets;

/**
 * The error responses AWS services send when they throttle or fail, in the protocol of the request: S3's REST-XML
 * {@code <Error>} document, or the AWS JSON protocol's {@code __type} object (SQS) when the request names an
 * {@code X-Amz-Target}.
 */
final class ErrorResponses {
  private ErrorResponses() {}

  static byte[] of(Fault fault, HttpHead request, int id) {
    boolean json = request.header("x-amz-target") != null;
    int status = fault == Fault.SLOW_DOWN ? 503 : 500;
    String reason = fault == Fault.SLOW_DOWN ? "Slow Down" : "Internal Server Error";
    String requestId = String.format("FAULT%011d", id);
    String body;
    String contentType;
    if (json) {
      contentType = "application/x-amz-json-1.0";
      body = fault == Fault.SLOW_DOWN
          ? "{\"__type\":\"com.amazonaws.sqs#RequestThrottled\",\"message\":\"Rate exceeded (injected by FaultProxy)\"}"
          : "{\"__type\":\"com.amazonaws.sqs#InternalError\",\"message\":\"We encountered an internal error (injected by FaultProxy)\"}";
    } else {
      contentType = "application/xml";
      String code = fault == Fault.SLOW_DOWN ? "SlowDown" : "InternalError";
      String message = fault == Fault.SLOW_DOWN ? "Please reduce your request rate."
          : "We encountered an internal error. Please try again.";
      body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
          + "</Message><Resource>" + xmlEscape(request.target()) + "</Resource><RequestId>" + requestId
          + "</RequestId><HostId>fault-proxy</HostId></Error>";
    }
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    boolean head = "HEAD".equalsIgnoreCase(request.method());
    String headers = "HTTP/1.1 " + status + " " + reason + "\r\n"
        + "Content-Type: " + contentType + "\r\n"
        + "x-amz-request-id: " + requestId + "\r\n"
        + "x-amzn-RequestId: " + requestId + "\r\n"
        + (json ? "x-amzn-query-error: " + (fault == Fault.SLOW_DOWN ? "RequestThrottled" : "InternalError")
            + ";" + (fault == Fault.SLOW_DOWN ? "Sender" : "Receiver") + "\r\n" : "")
        + "Content-Length: " + (head ? 0 : bodyBytes.length) + "\r\n\r\n";
    byte[] h = headers.getBytes(StandardCharsets.ISO_8859_1);
    if (head) return h;
    byte[] out = new byte[h.length + bodyBytes.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(bodyBytes, 0, out, h.length, bodyBytes.length);
    return out;
  }

  private static String xmlEscape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
