package syslens.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class HttpTest {
  @Test
  void clientKey_ipv6GroupedBy64_ipv4Alone() throws Exception {
    assertThat(Http.clientKey(InetAddress.getByName("2001:db8:1:2::1")))
        .isEqualTo(Http.clientKey(InetAddress.getByName("2001:db8:1:2:ffff::9")));
    assertThat(Http.clientKey(InetAddress.getByName("2001:db8:1:3::1")))
        .isNotEqualTo(Http.clientKey(InetAddress.getByName("2001:db8:1:2::1")));
    assertThat(Http.clientKey(InetAddress.getByName("192.0.2.1"))).isEqualTo("192.0.2.1");
  }
}
