package io.logcompactor.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FluentBitConfigTest {
  @Test
  @DisplayName("sections, case-insensitive keys, comments and ${VAR} expansion are read as Fluent Bit reads them")
  void readsClassicFormat() {
    List<FluentBitConfig.Section> s = FluentBitConfig.parse("""
        [SERVICE]
            Flush 1
        # a comment at column 0
        [OUTPUT]
            # an indented comment
            Name   s3
            Bucket ${BUCKET}
        """);
    assertThat(s).extracting(FluentBitConfig.Section::name).containsExactly("SERVICE", "OUTPUT");
    assertThat(s.get(1).get("bucket")).isEqualTo("${BUCKET}");
    List<String> missing = new ArrayList<>();
    assertThat(FluentBitConfig.expand("${BUCKET}/${OTHER}", Map.of("BUCKET", "b"), missing::add)).isEqualTo("b/");
    assertThat(missing).containsExactly("OTHER");
  }

  @Test
  @DisplayName("an entry indented unlike the first one, or a key without a value, is refused with its line")
  void refusesWhatFluentBitRefuses() {
    assertThatThrownBy(() -> FluentBitConfig.parse("[A]\n    k v\n  j w\n"))
        .hasMessageContaining("line 3").hasMessageContaining("indentation");
    assertThatThrownBy(() -> FluentBitConfig.parse("[A]\n    k\n")).hasMessageContaining("has no value");
  }

  @Test
  @DisplayName("a tag pattern's '*' matches any characters")
  void matchesTags() {
    assertThat(FluentBitConfig.tagMatches("kube.*", "kube.var.log.containers.a.log")).isTrue();
    assertThat(FluentBitConfig.tagMatches("kube.*", "host.var.log")).isFalse();
  }
}
