package io.logcompactor.compaction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the gzip check of an object held in memory can use libdeflate ({@link LibDeflate}), decided once.
 *
 * <p>It needs the JVM flags {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED} (the
 * Dockerfile, the Makefile and the tests pass them) and {@code libdeflate.so.0} (Debian and Ubuntu: package
 * {@code libdeflate0}). Without either the check runs on the JDK's zlib, as fast as before, with the same verdicts;
 * leaving the flags out is how to turn it off.
 */
final class NativeGzip {
  /**
   * Smaller objects stay on zlib: it inflates them in microseconds, and a merge of thousands of them ran slower
   * through libdeflate (a slot to wait for, a copy into native memory, the call's own cost, more code to compile).
   */
  static final int MIN_INPUT = 64 << 10;
  private static final Logger LOG = LoggerFactory.getLogger(NativeGzip.class);
  private static final String MODULE = "jdk.incubator.foreign";
  private static final Object ENGINE = load();

  private NativeGzip() {}

  /** @return "libdeflate" or "zlib", the library that inflates objects held in memory */
  static String engine() {
    return ENGINE != null ? "libdeflate" : "zlib";
  }

  /**
   * @return the check of a valid object, or null when the zlib check must decide (no libdeflate, or libdeflate did
   *     not accept the object whole)
   */
  static GzipCheck confirm(byte[] bytes, int length) {
    if (ENGINE == null) return null;
    try {
      return ((LibDeflate) ENGINE).confirm(bytes, length);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Typed as Object: naming LibDeflate here would load it, which fails when the module is absent. */
  private static Object load() {
    if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
      LOG.info("gzip check: zlib (start the JVM with --add-modules {} --enable-native-access=ALL-UNNAMED and install "
          + "libdeflate0 for libdeflate)", MODULE);
      return null;
    }
    try {
      Object engine = LibDeflate.open(Math.max(1, Runtime.getRuntime().availableProcessors()));
      LOG.info("gzip check: libdeflate for objects held in memory");
      return engine;
    } catch (Throwable t) {
      LOG.warn("gzip check: zlib, libdeflate could not be used: {}", t.toString());
      return null;
    }
  }
}
