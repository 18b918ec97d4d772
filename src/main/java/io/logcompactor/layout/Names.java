package io.logcompactor.layout;

import java.util.regex.Pattern;

/** Kubernetes name rules (DNS-1123), which also keep pod names safe inside S3 keys and URLs. */
public final class Names {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private Names() {}

  /** @return null when {@code name} is a DNS-1123 subdomain (a valid pod name), else why not */
  public static String podNameProblem(String name) {
    if (name == null || name.isEmpty()) return "empty";
    if (name.length() > 253) return "longer than 253 characters";
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || !LABEL.matcher(label).matches()) {
        return "'" + name + "' is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')";
      }
    }
    return null;
  }

  public static boolean isPodName(String name) {
    return podNameProblem(name) == null;
  }

  /** @return null when {@code name} is a DNS-1123 label (namespace, container), else why not */
  public static String labelProblem(String name) {
    if (name == null || name.isEmpty()) return "empty";
    if (name.length() > 63) return "longer than 63 characters";
    if (!LABEL.matcher(name).matches()) {
      return "'" + name + "' is not a DNS-1123 label (lowercase letters, digits and '-')";
    }
    return null;
  }
}
