package io.logcompactor.soak;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Compares what a reader served for a job with what the producer uploaded: lines lost, lines served more than once,
 * lines never uploaded, and lines out of order within a container.
 *
 * @param expected   lines uploaded
 * @param served     lines the reader returned
 * @param lost       uploaded lines missing from the output
 * @param duplicated extra copies of uploaded lines in the output
 * @param foreign    output lines that were never uploaded (another job's, or garbage)
 * @param outOfOrder containers whose lines came out in another order than uploaded
 * @param examples   a few offending lines, for the failure message
 */
public record LineCheck(long expected, long served, long lost, long duplicated, long foreign, long outOfOrder,
                        List<String> examples) {

  public boolean exactlyOnce() {
    return lost == 0 && duplicated == 0 && foreign == 0 && outOfOrder == 0;
  }

  /**
   * @param expected  lines in upload order
   * @param served    lines as served
   * @param streamOf  the container a line belongs to (order is only promised within one)
   */
  public static LineCheck of(List<String> expected, List<String> served, Function<String, String> streamOf) {
    Map<String, Integer> want = new HashMap<>();
    for (String l : expected) want.merge(l, 1, Integer::sum);
    Map<String, Integer> got = new HashMap<>();
    for (String l : served) got.merge(l, 1, Integer::sum);
    long lost = 0;
    long duplicated = 0;
    long foreign = 0;
    List<String> examples = new ArrayList<>();
    for (Map.Entry<String, Integer> e : want.entrySet()) {
      int g = got.getOrDefault(e.getKey(), 0);
      if (g < e.getValue()) {
        lost += e.getValue() - g;
        if (examples.size() < 5) examples.add("lost: " + e.getKey());
      } else if (g > e.getValue()) {
        duplicated += g - e.getValue();
        if (examples.size() < 10) examples.add("served " + g + " times: " + e.getKey());
      }
    }
    for (Map.Entry<String, Integer> e : got.entrySet()) {
      if (!want.containsKey(e.getKey())) {
        foreign += e.getValue();
        if (examples.size() < 12) examples.add("never uploaded: " + e.getKey());
      }
    }
    long outOfOrder = 0;
    Map<String, List<String>> wantBy = byStream(expected, streamOf);
    Map<String, List<String>> gotBy = byStream(served, streamOf);
    for (Map.Entry<String, List<String>> e : wantBy.entrySet()) {
      List<String> g = gotBy.getOrDefault(e.getKey(), List.of()).stream().filter(want::containsKey).distinct().toList();
      List<String> w = e.getValue().stream().filter(got::containsKey).toList();
      if (!g.equals(w)) {
        outOfOrder++;
        if (examples.size() < 14) examples.add("out of order: container " + e.getKey());
      }
    }
    return new LineCheck(expected.size(), served.size(), lost, duplicated, foreign, outOfOrder, examples);
  }

  /**
   * A read that ran while uploads went on: every line uploaded before it started ({@code before}) must be served, and
   * nothing else than lines uploaded by its end ({@code after}), each at most once, in container order.
   */
  public static LineCheck during(List<String> before, List<String> after, List<String> served,
                                 Function<String, String> streamOf) {
    java.util.Set<String> allowed = new java.util.HashSet<>(after);
    java.util.Set<String> servedSet = new java.util.HashSet<>(served);
    // Lines uploaded during the read may or may not be served: expect exactly those that were, plus all of before.
    java.util.Set<String> beforeSet = new java.util.HashSet<>(before);
    List<String> expectedOrdered = after.stream().filter(l -> beforeSet.contains(l) || servedSet.contains(l)).toList();
    LineCheck c = of(expectedOrdered, served, streamOf);
    long foreign = served.stream().filter(l -> !allowed.contains(l)).count();
    return new LineCheck(before.size(), c.served(), c.lost(), c.duplicated(), foreign, c.outOfOrder(), c.examples());
  }

  private static Map<String, List<String>> byStream(List<String> lines, Function<String, String> streamOf) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String l : lines) out.computeIfAbsent(streamOf.apply(l), k -> new ArrayList<>()).add(l);
    return out;
  }

  /** The container of a {@link LogProducer} message: "{pod} {container} seq=..." */
  public static String producerContainer(String line) {
    String[] parts = line.split(" ", 3);
    return parts.length >= 2 ? parts[0] + " " + parts[1] : "";
  }

  public LineCheck plus(LineCheck o) {
    List<String> ex = new ArrayList<>(examples);
    ex.addAll(o.examples);
    return new LineCheck(expected + o.expected, served + o.served, lost + o.lost, duplicated + o.duplicated,
        foreign + o.foreign, outOfOrder + o.outOfOrder, ex.subList(0, Math.min(ex.size(), 20)));
  }

  public static LineCheck none() {
    return new LineCheck(0, 0, 0, 0, 0, 0, List.of());
  }
}
