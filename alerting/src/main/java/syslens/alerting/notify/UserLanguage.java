package syslens.alerting.notify;

import java.util.Optional;

/**
 * The message language (en, zh-CN, ja-JP) a SysLens user chose; the server implements it over the
 * security module's users. Used for receivers that name a {@code user} instead of a {@code language}.
 */
@FunctionalInterface
public interface UserLanguage {
  Optional<String> languageOf(String username);

  /** No users: every receiver without a language gets English. */
  static UserLanguage none() {
    return u -> Optional.empty();
  }
}
