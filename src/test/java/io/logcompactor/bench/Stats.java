package io.logcompactor.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median and spread of repeated runs: on a shared 2-core machine single runs say little. */
public record Stats(List<Double> samples) {
  public Stats {
    samples = List.copyOf(samples);
  }

  public double median() {
    List<Double> s = sorted();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  public double min() {
    return sorted().get(0);
  }

  public double max() {
    return sorted().get(samples.size() - 1);
  }

  /** (max - min) / median: how far runs wandered. */
  public double spread() {
    double m = median();
    return m == 0 ? 0 : (max() - min()) / m;
  }

  private List<Double> sorted() {
    List<Double> s = new ArrayList<>(samples);
    Collections.sort(s);
    return s;
  }
}
