package io.logcompactor.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordScannerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final RecordScanner scanner = new RecordScanner();

  /** The scanner's message, or null when it declines the line. */
  private String scan(byte[] line) {
    if (!scanner.scan(line, 0, line.length)) return null;
    ByteSink out = new ByteSink(8);
    scanner.writeMessage(out);
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  private String scan(String line) {
    return scan(line.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("a Fluent Bit record: message and stream are read, the kubernetes object after them never matters")
  void fluentBitRecord() {
    assertThat(scan("{\"date\":1764101645.25,\"time\":\"2026-11-25T20:14:05.25Z\",\"stream\":\"stderr\",\"logtag\":\"F\","
        + "\"log\":\"hello world\",\"kubernetes\":{\"pod_name\":\"p\",\"labels\":{\"a\":[1,2,{\"b\":\"}\"}]}}}"))
        .isEqualTo("hello world");
    assertThat(scanner.stream()).isEqualTo("stderr");
    assertThat(scan("{\"log\":\"x\\n\",\"stream\":\"stdout\"}")).isEqualTo("x");
    assertThat(scanner.stream()).isEqualTo("stdout");
    assertThat(scan("{\"kubernetes\":{\"k\":\"v\"},\"log\":\"late\"}")).isEqualTo("late");
    assertThat(scanner.stream()).isNull();
    assertThat(scan("  { \"message\" : \"m\" , \"stream\" : \"other\" }  ")).isEqualTo("m");
    assertThat(scanner.stream()).isEqualTo("other");
  }

  @Test
  @DisplayName("escapes decode as a JSON parser would, and one trailing newline (CRLF too) is dropped")
  void escapes() {
    assertThat(scan("{\"log\":\"a\\tb \\\"q\\\" \\\\ \\/ \\u00e9 \\ud83d\\ude00 \\r\\n\"}"))
        .isEqualTo("a\tb \"q\" \\ / é 😀 ");
    assertThat(scan("{\"log\":\"two\\n\\n\"}")).isEqualTo("two\n");
    assertThat(scan("{\"log\":\"lone \\ud83d here\"}")).isEqualTo("lone ? here");
    assertThat(scan("{\"log\":\"héllo 😀\"}")).isEqualTo("héllo 😀");
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain text", "", "{}", "[1]", "{\"log\":42}", "{\"log\":\"unterminated",
      "{\"log\":\"x\"", "{\"log\":\"x\",}", "{\"stream\":\"stdout\"}", "{\"l\\u006fg\":\"escaped name\"}",
      "{\"log\":\"a\",\"log\":\"duplicate\"}", "{\"log\":\"bad escape \\x\"}", "{\"log\":\"x\"} trailing",
      "{\"log\":\"x\",\"stream\":\"stdout\",\"k\":1", "{\"a\":tru e,\"log\":\"x\"}", "{\"log\"\"x\"}"})
  @DisplayName("anything but a well-formed record is left to the full parser")
  void declines(String line) {
    assertThat(scan(line)).isNull();
  }

  @Test
  @DisplayName("invalid UTF-8 in the message is left to the full parser, which replaces it")
  void invalidUtf8() {
    byte[] line = "{\"log\":\"bad \u0000 byte\"}".getBytes(StandardCharsets.UTF_8);
    line[12] = (byte) 0xc3; // a lead byte followed by a space
    assertThat(scan(line)).isNull();
    byte[] overlong = {'{', '"', 'l', 'o', 'g', '"', ':', '"', (byte) 0xc0, (byte) 0x80, '"', '}'};
    assertThat(scan(overlong)).isNull();
    byte[] surrogate = {'{', '"', 'l', 'o', 'g', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'};
    assertThat(scan(surrogate)).isNull();
  }

  @Test
  @DisplayName("on 20,000 random records (escapes, unicode, field orders) the scanner agrees with the full parser")
  void agreesWithFullParser() throws Exception {
    SplittableRandom rnd = new SplittableRandom(7);
    int accepted = 0;
    for (int n = 0; n < 20_000; n++) {
      byte[] line = randomRecord(rnd).getBytes(StandardCharsets.UTF_8);
      LogRecord full = RecordParser.parse(line, 0, line.length, false);
      String fast = scan(line);
      if (fast == null) continue;
      accepted++;
      assertThat(full.parsed()).as(new String(line, StandardCharsets.UTF_8)).isTrue();
      assertThat(fast.getBytes(StandardCharsets.UTF_8)).as(new String(line, StandardCharsets.UTF_8))
          .isEqualTo(full.message().getBytes(StandardCharsets.UTF_8));
      assertThat(scanner.stream()).isEqualTo(full.stream());
    }
    assertThat(accepted).isGreaterThan(19_000);
  }

  private static String randomRecord(SplittableRandom rnd) throws Exception {
    List<String> fields = new ArrayList<>(List.of("date", "time", "stream", "logtag", "log", "kubernetes"));
    Collections.shuffle(fields, new java.util.Random(rnd.nextLong()));
    ObjectNode n = JSON.createObjectNode();
    for (String f : fields) {
      switch (f) {
        case "date" -> n.put("date", rnd.nextDouble() * 2e9);
        case "time" -> n.put("time", "2026-11-25T20:14:05.123Z");
        case "stream" -> n.put("stream", rnd.nextBoolean() ? "stdout" : "stderr");
        case "logtag" -> n.put("logtag", "F");
        case "log" -> n.put("log", randomText(rnd));
        default -> n.putObject("kubernetes").put("pod_name", randomText(rnd)).putArray("x").add(1).add("]}");
      }
    }
    return JSON.writeValueAsString(n);
  }

  private static String randomText(SplittableRandom rnd) {
    String[] pieces = {"plain ", "quote\" ", "back\\slash ", "tab\t", "nl\n", "cr\r", "é", "中文", "😀", "\u0001",
        "\u001f", "}", "{", ",", ":", "\u2028", "/"};
    StringBuilder sb = new StringBuilder();
    int k = rnd.nextInt(12);
    for (int i = 0; i < k; i++) sb.append(pieces[rnd.nextInt(pieces.length)]);
    if (rnd.nextInt(3) == 0) sb.append(rnd.nextBoolean() ? "\n" : "\r\n");
    return sb.toString();
  }

  @Test
  @DisplayName("the word test of the string scan flags first exactly the first quote, backslash, control or non-ASCII "
      + "byte")
  void stopsFlagsTheFirstStopByte() {
    SplittableRandom rnd = new SplittableRandom(5);
    byte[] special = {'"', '\\', 0, 0x1f, 0x20, 0x21, 0x7f, (byte) 0x80, (byte) 0x9f, (byte) 0xa0, (byte) 0xff, 'a',
        '\n', '"' + 1, '\\' + 1, '"' - 1, '\\' - 1};
    byte[] b = new byte[8];
    for (int n = 0; n < 200_000; n++) {
      for (int i = 0; i < 8; i++) {
        b[i] = rnd.nextInt(3) == 0 ? special[rnd.nextInt(special.length)] : (byte) (0x21 + rnd.nextInt(0x5e));
      }
      int expected = -1;
      for (int i = 0; i < 8 && expected < 0; i++) {
        if (b[i] == '"' || b[i] == '\\' || (b[i] & 0xff) < 0x20 || b[i] < 0) expected = i;
      }
      long stops = RecordScanner.stops(Swar.word(b, 0));
      assertThat(stops == 0 ? -1 : Swar.first(stops)).as("word %s", java.util.HexFormat.of().formatHex(b))
          .isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("scanning a line and finding its end in one pass agrees with finding the end and then scanning, on "
      + "random blocks of whole, cut, damaged and multi-line records")
  void oneLinePassAgreesWithTwoPasses() throws Exception {
    SplittableRandom rnd = new SplittableRandom(11);
    RecordScanner twoPass = new RecordScanner();
    int oneFound = 0;
    for (int n = 0; n < 20_000; n++) {
      StringBuilder block = new StringBuilder();
      int lines = 1 + rnd.nextInt(3);
      for (int k = 0; k < lines; k++) block.append(randomRecord(rnd)).append(rnd.nextInt(8) == 0 ? "\r\n" : "\n");
      byte[] b = block.toString().getBytes(StandardCharsets.UTF_8);
      // Damage: a newline, a quote, a brace or a cut anywhere, as a broken upload or a buffer boundary would.
      int to = b.length;
      switch (rnd.nextInt(5)) {
        case 0 -> b[rnd.nextInt(b.length)] = '\n';
        case 1 -> b[rnd.nextInt(b.length)] = '"';
        case 2 -> b[rnd.nextInt(b.length)] = '}';
        case 3 -> to = rnd.nextInt(b.length + 1);
        default -> { }
      }
      int nl = LineReader.indexOfNewline(b, 0, to);
      boolean expected = nl >= 0 && twoPass.scan(b, 0, nl);
      int found = scanner.scanLine(b, 0, to);
      String context = new String(b, 0, to, StandardCharsets.UTF_8);
      if (!expected) {
        assertThat(found).as(context).isEqualTo(-1);
        continue;
      }
      if (found < 0) continue; // declining is always allowed: the caller then scans the line by itself
      oneFound++;
      assertThat(found).as(context).isEqualTo(nl);
      ByteSink one = new ByteSink(8);
      scanner.writeMessage(one);
      ByteSink two = new ByteSink(8);
      twoPass.writeMessage(two);
      assertThat(one.toByteArray()).as(context).isEqualTo(two.toByteArray());
      assertThat(scanner.stream()).as(context).isEqualTo(twoPass.stream());
    }
    assertThat(oneFound).isGreaterThan(10_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"log\":\"x\",\n\"stream\":\"stdout\"}\n", "{\"k\":{\"a\":\n1},\"log\":\"x\"}\n",
      "{\"log\":\"x\\\n\"}\n", "{\n\"log\":\"x\"}\n", "{\"log\":\"x\"\n}\n", "{\"date\":1\n,\"log\":\"x\"}\n"})
  @DisplayName("a newline inside a record ends the line: the one-pass scan never walks over it")
  void oneLinePassStopsAtNewlines(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    assertThat(scanner.scanLine(b, 0, b.length)).isEqualTo(-1);
  }
}
