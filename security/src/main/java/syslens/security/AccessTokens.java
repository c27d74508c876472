package syslens.security;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Short-lived HS256 access tokens. A token only says which user, user version and session it was
 * issued for; whether that still holds is checked against the database on every request by
 * {@link Authenticator}.
 */
final class AccessTokens {
  static final String ISSUER = "syslens";
  /** Longer strings are not tokens; they are rejected before parsing. */
  static final int MAX_TOKEN_LENGTH = 4096;

  /** What a verified token claims. */
  record Claims(long userId, String username, long version, String sessionId) {}

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;
  private final Duration ttl;

  AccessTokens(byte[] secret, Clock clock, Duration ttl) {
    requireNonNull(secret, "secret");
    if (secret.length < 32) {
      throw new IllegalArgumentException("secret: " + secret.length + " bytes (expected: >= 32)");
    }
    try {
      this.signer = new MACSigner(secret);
      this.verifier = new MACVerifier(secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("secret: unusable for HS256", e);
    }
    this.clock = requireNonNull(clock, "clock");
    this.ttl = requireNonNull(ttl, "ttl");
  }

  Duration ttl() {
    return ttl;
  }

  String issue(User user, String sessionId, Instant exp) {
    Instant now = clock.instant();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject(user.username())
        .claim("uid", user.id())
        .claim("ver", user.version())
        .claim("sid", sessionId)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(exp))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing token failed", e);
    }
    return jwt.serialize();
  }

  /** The claims of a valid, unexpired token of ours; empty otherwise (alg none, wrong key, tampered). */
  Optional<Claims> verify(String token) {
    return Optional.ofNullable(check(token).claims());
  }

  /**
   * A token checked: its claims, or why it is refused ({@code malformed}, {@code alg_none},
   * {@code alg_not_allowed}, {@code bad_signature}, {@code bad_issuer}, {@code expired}) with
   * the subject it claims (unverified unless the signature held).
   */
  record Checked(Claims claims, String rejection, String subject) {}

  Checked check(String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      return new Checked(null, "malformed", null);
    }
    try {
      com.nimbusds.jwt.JWT parsed = com.nimbusds.jwt.JWTParser.parse(token);
      String subject = parsed.getJWTClaimsSet().getSubject();
      if (parsed instanceof com.nimbusds.jwt.PlainJWT) {
        return new Checked(null, "alg_none", subject);
      }
      if (!(parsed instanceof SignedJWT jwt)) {
        return new Checked(null, "malformed", subject);
      }
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
        return new Checked(null, "alg_not_allowed", subject);
      }
      if (!jwt.verify(verifier)) {
        return new Checked(null, "bad_signature", subject);
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      if (!ISSUER.equals(c.getIssuer())) {
        return new Checked(null, "bad_issuer", subject);
      }
      Date exp = c.getExpirationTime();
      if (exp == null || !exp.toInstant().isAfter(clock.instant())) {
        return new Checked(null, "expired", subject);
      }
      Long uid = c.getLongClaim("uid");
      Long ver = c.getLongClaim("ver");
      String sid = c.getStringClaim("sid");
      if (uid == null || ver == null || sid == null || subject == null) {
        return new Checked(null, "malformed", subject);
      }
      return new Checked(new Claims(uid, subject, ver, sid), null, subject);
    } catch (ParseException | JOSEException | RuntimeException e) {
      return new Checked(null, "malformed", null);
    }
  }
}
