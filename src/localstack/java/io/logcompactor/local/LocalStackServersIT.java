package io.logcompactor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.junit.jupiter.Testcontainers;

@Testcontainers(disabledWithoutDocker = true)
@ExtendWith(LocalServersExtension.class)
class LocalStackServersIT {

  @Test
  @DisplayName("with -Plocalstack the integration tests run against LocalStack, which has no bridge and says so")
  void testsRunAgainstLocalStack(LocalServers servers) {
    assertThat(servers.hasBridge()).isFalse();
    assertThatThrownBy(servers::bridge).isInstanceOf(IllegalStateException.class).hasMessageContaining("hasBridge");
  }

  @Test
  @DisplayName("under LocalStack a notification filter must be a KeyFilter, since S3 filters only by prefix and suffix")
  void plainPredicateIsRefused(LocalServers servers) {
    assertThatThrownBy(() -> servers.newEnvironment("plain", 30, 5, key -> key.contains("x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KeyFilter");
  }
}
