package syslens.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import org.junit.jupiter.api.Test;

class PasswordsTest {
  @Test
  void cost_is12UnlessSetWithinBcryptsRange() {
    assertThat(Passwords.cost(null)).isEqualTo(12);
    assertThat(Passwords.cost(" ")).isEqualTo(12);
    assertThat(Passwords.cost("4")).isEqualTo(4);
    assertThat(Passwords.cost("31")).isEqualTo(31);
    for (String bad : new String[] {"3", "32", "twelve", "-1"}) {
      assertThatThrownBy(() -> Passwords.cost(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("syslens.bcrypt.cost").hasMessageContaining("4 to 31");
    }
  }

  @Test
  void hashesOfAnotherCost_stillVerify() {
    String cost10 = BCrypt.withDefaults().hashToString(10, "Fine-Passw0rd-X".toCharArray());
    assertThat(Passwords.verify("Fine-Passw0rd-X", cost10)).isTrue();
    assertThat(Passwords.verify("Fine-Passw0rd-Y", cost10)).isFalse();
    assertThat(Passwords.verify("Fine-Passw0rd-X", Passwords.hash("Fine-Passw0rd-X"))).isTrue();
  }
}
