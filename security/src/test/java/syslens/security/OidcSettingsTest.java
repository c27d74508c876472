package syslens.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OidcSettingsTest {
  static OidcSettings settings(String issuer, String base) {
    return new OidcSettings(URI.create(issuer), "client", "s3cret-value", URI.create(base), null, Map.of(), null);
  }

  @Test
  void parseGroupRoles_keepsOrderAndNamesMalformedEntry() {
    assertThat(OidcSettings.parseGroupRoles(" sre=admin, ops = operator ").entrySet())
        .containsExactly(Map.entry("sre", "admin"), Map.entry("ops", "operator"));
    assertThat(OidcSettings.parseGroupRoles("")).isEmpty();
    assertThatThrownBy(() -> OidcSettings.parseGroupRoles("sre=admin,ops"))
        .hasMessage("oidc group map: \"ops\" (expected: group=role)");
  }

  @Test
  void create_plainHttpIssuerOnlyOnLoopback() {
    assertThat(settings("http://127.0.0.1:9000/default", "http://127.0.0.1:8080").callback())
        .isEqualTo(URI.create("http://127.0.0.1:8080/api/v1/auth/oidc/callback"));
    assertThat(settings("https://sso.example.com/", "https://syslens.example.com/").callback())
        .isEqualTo(URI.create("https://syslens.example.com/api/v1/auth/oidc/callback"));
    assertThatThrownBy(() -> settings("http://sso.example.com", "https://syslens.example.com"))
        .hasMessageContaining("expected: an https:// URL, or http:// on loopback");
  }

  @Test
  void toString_hidesClientSecret() {
    OidcSettings s = settings("https://sso.example.com", "https://syslens.example.com");
    assertThat(s.toString()).doesNotContain("s3cret-value").contains("clientSecret=***");
    assertThat(s.groupsClaim()).isEqualTo("groups");
  }
}
