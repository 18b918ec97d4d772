package io.logcompactor.soak;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reliability figures the README reports, added up over every reliability test run in this JVM. Each test prints
 * its own line and the running total, e.g.
 * {@code RELIABILITY crash-restart soak: kills survived=24, faults injected=0, bad inputs tried=0, lines checked=6300, lines lost=0, lines duplicated=0}.
 */
public final class Figures {
  private static final Logger LOG = LoggerFactory.getLogger(Figures.class);
  private static final AtomicLong KILLS = new AtomicLong();
  private static final AtomicLong FAULTS = new AtomicLong();
  private static final AtomicLong BAD_INPUTS = new AtomicLong();
  private static final AtomicLong LINES = new AtomicLong();
  private static final AtomicLong LOST = new AtomicLong();
  private static final AtomicLong DUPLICATED = new AtomicLong();

  private Figures() {}

  public static void record(String test, long kills, long faults, long badInputs, LineCheck lines) {
    KILLS.addAndGet(kills);
    FAULTS.addAndGet(faults);
    BAD_INPUTS.addAndGet(badInputs);
    LINES.addAndGet(lines.expected());
    LOST.addAndGet(lines.lost());
    DUPLICATED.addAndGet(lines.duplicated());
    String line = line(test, kills, faults, badInputs, lines.expected(), lines.lost(), lines.duplicated());
    String total = line("total so far", KILLS.get(), FAULTS.get(), BAD_INPUTS.get(), LINES.get(), LOST.get(),
        DUPLICATED.get());
    // stdout as well as the log: the summary must be visible in the plain Maven output.
    System.out.println(line);
    System.out.println(total);
    LOG.info("{}", line);
  }

  private static String line(String test, long kills, long faults, long badInputs, long lines, long lost, long dup) {
    return "RELIABILITY " + test + ": kills survived=" + kills + ", faults injected=" + faults + ", bad inputs tried="
        + badInputs + ", lines checked=" + lines + ", lines lost=" + lost + ", lines duplicated=" + dup;
  }
}
