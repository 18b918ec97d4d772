package io.logcompactor.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads the few fields the API needs from a Fluent Bit JSON line with Jackson's streaming parser, skipping the rest
 * (the {@code kubernetes} object is most of a record's bytes). Never throws: whatever it cannot read becomes
 * {@link LogRecord#UNPARSED} or a record with null fields.
 */
public final class RecordParser {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private RecordParser() {}

  public static LogRecord parse(byte[] bytes, int off, int len) {
    if (len < 2 || firstNonBlank(bytes, off, len) != '{') return LogRecord.UNPARSED;
    try (JsonParser p = JSON.createParser(bytes, off, len)) {
      return read(p);
    } catch (IOException | RuntimeException e) {
      // Invalid UTF-8 inside an otherwise good record: decode with replacement characters and try once more.
      try (JsonParser p = JSON.createParser(new String(bytes, off, len, StandardCharsets.UTF_8))) {
        return read(p);
      } catch (IOException | RuntimeException again) {
        return LogRecord.UNPARSED;
      }
    }
  }

  private static LogRecord read(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) return LogRecord.UNPARSED;
    String log = null;
    String message = null;
    String stream = null;
    Instant time = null;
    Instant date = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "log" -> log = v == JsonToken.VALUE_STRING ? p.getText() : log;
        case "message" -> message = v == JsonToken.VALUE_STRING ? p.getText() : message;
        case "stream" -> stream = v == JsonToken.VALUE_STRING ? p.getText() : stream;
        case "time" -> time = v == JsonToken.VALUE_STRING ? parseTime(p.getText()) : time;
        case "date" -> date = v.isNumeric() ? epochSeconds(p.getDecimalValue())
            : v == JsonToken.VALUE_STRING ? parseTime(p.getText()) : date;
        default -> p.skipChildren();
      }
    }
    if (t != JsonToken.END_OBJECT) return LogRecord.UNPARSED;
    String text = log != null ? log : message;
    if (text == null) return LogRecord.UNPARSED;
    return new LogRecord(stripNewline(text), stream, time != null ? time : date);
  }

  /** RFC 3339 / ISO-8601 with an offset, or epoch seconds written as a string; null when neither. */
  static Instant parseTime(String s) {
    if (s == null || s.isEmpty()) return null;
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return epochSeconds(new BigDecimal(s.trim()));
      } catch (NumberFormatException | ArithmeticException notNumber) {
        return null;
      }
    }
  }

  private static Instant epochSeconds(BigDecimal seconds) {
    try {
      long s = seconds.longValue();
      long nanos = seconds.subtract(BigDecimal.valueOf(s)).movePointRight(9).longValue();
      return Instant.ofEpochSecond(s, nanos);
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return null;
    }
  }

  private static String stripNewline(String s) {
    int end = s.length();
    if (end > 0 && s.charAt(end - 1) == '\n') end--;
    if (end > 0 && s.charAt(end - 1) == '\r') end--;
    return end == s.length() ? s : s.substring(0, end);
  }

  private static int firstNonBlank(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') return b[i];
    }
    return -1;
  }
}
