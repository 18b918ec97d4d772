package io.logcompactor.faults;

/** What {@link FaultProxy} can do to one HTTP exchange instead of relaying it faithfully. */
public enum Fault {
  /** 503 with the service's throttling error (S3: {@code SlowDown}); the request never reaches the server. */
  SLOW_DOWN,
  /** 500 with the service's internal error (S3: {@code InternalError}); the request never reaches the server. */
  INTERNAL_ERROR,
  /**
   * The server handles the request; the client gets the response head and half the body, then a TCP reset. When
   * the response has no body, the reset comes before the head: the request took effect but its answer is lost,
   * the ambiguous outcome that conditional writes and idempotent deletes exist for.
   */
  RESET_MID_BODY,
  /** The server handles the request; the client gets the full Content-Length promise, half the body, then EOF. */
  TRUNCATED,
  /** The server handles the request; its response is held back for the rule's latency, then relayed intact. */
  LATENCY
}
