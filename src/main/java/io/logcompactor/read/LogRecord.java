package io.logcompactor.read;

import java.time.Instant;

/**
 * The fields of one Fluent Bit record that the read API needs. {@code message} is null when the line is not a JSON
 * object with a {@code log} (or {@code message}) string: such a line is served as it is.
 *
 * @param message the log message, without the trailing newline container runtimes keep
 * @param stream  {@code stdout}, {@code stderr} or null when unknown
 * @param time    when the line was logged, or null when the record does not say
 */
public record LogRecord(String message, String stream, Instant time) {
  public static final LogRecord UNPARSED = new LogRecord(null, null, null);

  public boolean parsed() {
    return message != null;
  }
}
