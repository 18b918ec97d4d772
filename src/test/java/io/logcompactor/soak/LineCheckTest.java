package io.logcompactor.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LineCheckTest {
  private static final List<String> UPLOADED = List.of("p main seq=1 a", "p main seq=2 b", "p side seq=1 c",
      "p main seq=3 d");

  private static LineCheck check(List<String> served) {
    return LineCheck.of(UPLOADED, served, LineCheck::producerContainer);
  }

  @Test
  @DisplayName("the same lines with containers interleaved differently are exactly once")
  void interleavingAcrossContainersIsFine() {
    LineCheck c = check(List.of("p side seq=1 c", "p main seq=1 a", "p main seq=2 b", "p main seq=3 d"));
    assertThat(c.exactlyOnce()).isTrue();
    assertThat(c.expected()).isEqualTo(4);
  }

  @Test
  @DisplayName("a missing line counts as lost, an extra copy as duplicated, an unknown line as foreign")
  void countsLostDuplicatedForeign() {
    LineCheck c = check(List.of("p main seq=1 a", "p main seq=1 a", "p side seq=1 c", "p main seq=3 d", "q x"));
    assertThat(c.lost()).isEqualTo(1);
    assertThat(c.duplicated()).isEqualTo(1);
    assertThat(c.foreign()).isEqualTo(1);
    assertThat(c.exactlyOnce()).isFalse();
    assertThat(c.examples()).anyMatch(e -> e.startsWith("lost: p main seq=2"));
  }

  @Test
  @DisplayName("two lines of one container served in the wrong order are reported out of order")
  void detectsReorderWithinContainer() {
    LineCheck c = check(List.of("p main seq=2 b", "p main seq=1 a", "p side seq=1 c", "p main seq=3 d"));
    assertThat(c.lost()).isZero();
    assertThat(c.outOfOrder()).isEqualTo(1);
    assertThat(c.exactlyOnce()).isFalse();
  }

  @Test
  @DisplayName("a read during uploads must serve every line uploaded before it, may serve later ones, and nothing twice")
  void duringUploads() {
    List<String> before = UPLOADED.subList(0, 2);
    LineCheck ok = LineCheck.during(before, UPLOADED, List.of("p main seq=1 a", "p main seq=2 b", "p side seq=1 c"),
        LineCheck::producerContainer);
    assertThat(ok.exactlyOnce()).isTrue();
    LineCheck missing = LineCheck.during(before, UPLOADED, List.of("p main seq=1 a", "p side seq=1 c"),
        LineCheck::producerContainer);
    assertThat(missing.lost()).isEqualTo(1);
    LineCheck twice = LineCheck.during(before, UPLOADED, List.of("p main seq=1 a", "p main seq=2 b", "p main seq=2 b"),
        LineCheck::producerContainer);
    assertThat(twice.duplicated()).isEqualTo(1);
  }
}
