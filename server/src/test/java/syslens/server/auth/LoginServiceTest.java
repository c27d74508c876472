package syslens.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class LoginServiceTest {
  @Test
  void clientKey_ipv6GroupedBy64_ipv4Alone() throws Exception {
    assertThat(LoginService.clientKey(InetAddress.getByName("2001:db8:1:2::1")))
        .isEqualTo(LoginService.clientKey(InetAddress.getByName("2001:db8:1:2:ffff::9")));
    assertThat(LoginService.clientKey(InetAddress.getByName("2001:db8:1:3::1")))
        .isNotEqualTo(LoginService.clientKey(InetAddress.getByName("2001:db8:1:2::1")));
    assertThat(LoginService.clientKey(InetAddress.getByName("192.0.2.1"))).isEqualTo("192.0.2.1");
  }
}
