package io.logcompactor.read;

import java.io.IOException;

/** The bytes are not what they claim to be (bad gzip header, CRC mismatch, truncated member). */
public final class CorruptDataException extends IOException {
  public CorruptDataException(String message) {
    super(message);
  }

  public CorruptDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
