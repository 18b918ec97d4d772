package io.logcompactor.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecordParserTest {
  private static LogRecord parse(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return RecordParser.parse(b, 0, b.length);
  }

  @Test
  @DisplayName("log, stream and an RFC 3339 time are read; the kubernetes object and other fields are skipped")
  void fluentBitRecord() {
    LogRecord r = parse("{\"date\":1.5,\"time\":\"2026-11-25T20:14:05.123456789Z\",\"stream\":\"stderr\","
        + "\"kubernetes\":{\"pod_name\":\"p\",\"labels\":{\"log\":\"no\"}},\"log\":\"hello\\n\"}");
    assertThat(r).isEqualTo(new LogRecord("hello", "stderr", Instant.parse("2026-11-25T20:14:05.123456789Z")));
  }

  @Test
  @DisplayName("the time may be epoch seconds in 'date', as a number or a string, or an offset time")
  void dateForms() {
    assertThat(parse("{\"date\":1764101645.25,\"log\":\"a\"}").time()).isEqualTo(Instant.parse("2025-11-25T20:14:05.250Z"));
    assertThat(parse("{\"date\":\"1764101645\",\"log\":\"a\"}").time()).isEqualTo(Instant.parse("2025-11-25T20:14:05Z"));
    assertThat(parse("{\"time\":\"2026-11-25T21:14:05+01:00\",\"log\":\"a\"}").time())
        .isEqualTo(Instant.parse("2026-11-25T20:14:05Z"));
    assertThat(parse("{\"time\":\"yesterday\",\"log\":\"a\"}").time()).isNull();
  }

  @Test
  @DisplayName("missing fields are null; a record without log falls back to message; neither means unparsed")
  void missingFields() {
    assertThat(parse("{\"log\":\"only\"}")).isEqualTo(new LogRecord("only", null, null));
    assertThat(parse("{\"message\":\"m\",\"stream\":\"stdout\"}").message()).isEqualTo("m");
    assertThat(parse("{\"stream\":\"stdout\"}").parsed()).isFalse();
    assertThat(parse("{\"log\":42}").parsed()).isFalse();
  }

  @Test
  @DisplayName("lines that are not JSON objects are unparsed, never an error")
  void notJson() {
    assertThat(parse("plain text").parsed()).isFalse();
    assertThat(parse("{\"log\":\"unterminated").parsed()).isFalse();
    assertThat(parse("[1,2]").parsed()).isFalse();
    assertThat(parse("").parsed()).isFalse();
  }

  @Test
  @DisplayName("invalid UTF-8 inside a record is replaced, and the record is still read")
  void invalidUtf8() {
    byte[] b = "{\"log\":\"bad \u00ff byte\",\"stream\":\"stdout\"}".getBytes(StandardCharsets.ISO_8859_1);
    LogRecord r = RecordParser.parse(b, 0, b.length);
    assertThat(r.message()).isEqualTo("bad \uFFFD byte");
    assertThat(r.stream()).isEqualTo("stdout");
  }
}
