package syslens.security;

import java.time.Duration;

/** The outcome of a login or refresh. */
public sealed interface LoginResult {
  /**
   * Logged in. {@code restricted} says what the user must do before anything else
   * ({@code change_password}, {@code enroll_totp}), or null.
   */
  record Success(User user, String accessToken, long accessExpiresAt, String refreshToken, long refreshExpiresAt,
      String restricted) implements LoginResult {}

  /** Wrong name, password or code; answer 401 no sooner than {@code delay} after the request. */
  record Invalid(Duration delay, String reason) implements LoginResult {}

  /** The password was right but a TOTP or recovery code is needed (401, code totp_required). */
  record TotpRequired() implements LoginResult {}

  /** Too many failures or no free slot now; answer 429 with Retry-After. */
  record Refused(Duration retryAfter, String reason) implements LoginResult {}
}
