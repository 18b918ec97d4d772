package io.logcompactor.local;

import java.util.List;

/** JVM flags for a service started in a process of its own, as the Dockerfile starts it. */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * The flags that let the gzip check use libdeflate, when this JVM has them too (the pom's native.jvm.flags for the
   * tests, the Makefile's for the benchmark): a child then checks gzip the way this JVM does.
   */
  public static List<String> nativeAccessFlags() {
    return ModuleLayer.boot().findModule("jdk.incubator.foreign").isPresent()
        ? List.of("--add-modules", "jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED")
        : List.of();
  }
}
