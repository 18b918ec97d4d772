package io.logcompactor.soak;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a service's {@code /metrics} (Prometheus text format), for asserting counters as an operator's
 * Prometheus would see them. Micrometer's {@code compactor.events.events} with tag {@code kind=malformed} is the
 * series {@code compactor_events_events_total{kind="malformed"}}.
 */
public final class Scrape {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s+(\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final Map<String, Map<Map<String, String>, Double>> series = new HashMap<>();

  public Scrape(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) continue;
      Matcher m = SAMPLE.matcher(line);
      if (!m.find()) continue;
      Map<String, String> labels = new HashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) labels.put(l.group(1), l.group(2));
      }
      double value;
      try {
        value = Double.parseDouble(m.group(4));
      } catch (NumberFormatException e) {
        continue;
      }
      series.computeIfAbsent(m.group(1), k -> new HashMap<>()).put(labels, value);
    }
  }

  public static Scrape of(ServiceProcess service) throws Exception {
    var r = service.get("/metrics");
    if (r.statusCode() != 200) throw new IllegalStateException("/metrics answered " + r.statusCode());
    return new Scrape(r.body());
  }

  /**
   * The sum of a series over every label set that includes {@code labels} ("k1", "v1", "k2", "v2", ...); 0 when the
   * series does not exist.
   */
  public double sum(String name, String... labels) {
    Map<String, String> want = new HashMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) want.put(labels[i], labels[i + 1]);
    return series.getOrDefault(name, Map.of()).entrySet().stream()
        .filter(e -> e.getKey().entrySet().containsAll(want.entrySet()))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  public boolean has(String name) {
    return series.containsKey(name);
  }

  /** Every series name, for failure messages. */
  public java.util.Set<String> names() {
    return new java.util.TreeSet<>(series.keySet());
  }
}
