package syslens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void parse_hostnameIpv4AndBracketedIpv6() {
    assertThat(HostPort.parse("syslens.example:8443")).isEqualTo(new HostPort("syslens.example", 8443));
    assertThat(HostPort.parse("127.0.0.1:8080")).isEqualTo(new HostPort("127.0.0.1", 8080));
    assertThat(HostPort.parse("[::1]:9000")).isEqualTo(new HostPort("::1", 9000));
  }

  @Test
  void parse_missingOrBadPort_rejected() {
    for (String bad : new String[] {"host", "host:", ":80", "host:0", "host:70000", "host:x", "::1:80"}) {
      assertThatThrownBy(() -> HostPort.parse(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("server: " + bad);
    }
  }
}
