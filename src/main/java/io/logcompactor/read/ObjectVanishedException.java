package io.logcompactor.read;

import java.io.IOException;

/** A listed object is gone: a raw object that a compaction merged and then cleaned while we were reading. */
public final class ObjectVanishedException extends IOException {
  public ObjectVanishedException(String key) {
    super("object vanished: " + key);
  }
}
