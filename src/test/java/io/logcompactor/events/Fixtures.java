package io.logcompactor.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Notification bodies under src/test/resources/notifications. */
final class Fixtures {
  private Fixtures() {}

  static String notification(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/notifications/" + name)) {
      if (in == null) throw new IllegalArgumentException("no fixture " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
