package syslens.security;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Short-lived HS256 access tokens. A token only says which user, user version and session it was
 * issued for; whether that still holds is checked on every request by {@link Security} (against
 * the user and session as read from the database within the last seconds).
 *
 * <p>A token whose signature and claims held is remembered by its SHA-256 until it expires, so a
 * client presenting the same token again (every request of a dashboard or of Grafana) costs one
 * hash and a map lookup instead of parsing two JSON documents and an HMAC; its expiry is still
 * checked on every request. Only tokens that verified are remembered (no one without the key can
 * add entries), at most {@value #MAX_VERIFIED}.
 */
final class AccessTokens {
  static final String ISSUER = "syslens";
  /** Longer strings are not tokens; they are rejected before parsing. */
  static final int MAX_TOKEN_LENGTH = 4096;

  /** Verified tokens remembered at most; beyond, expired ones are dropped, then all. */
  static final int MAX_VERIFIED = 10_000;

  /** What a verified token claims. */
  record Claims(long userId, String username, long version, String sessionId) {}

  /** A token that verified: its claims and when it expires. */
  private record Verified(Claims claims, Instant expires) {}

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;
  private final Duration ttl;
  /** SHA-256 of a verified token (as ISO-8859-1 text) -> what it says. */
  private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();
  private final MessageDigest sha256;

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
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
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
    String key = digest(token);
    Verified known = verified.get(key);
    if (known != null) {
      if (known.expires().isAfter(clock.instant())) {
        return new Checked(known.claims(), null, known.claims().username());
      }
      verified.remove(key); // expired: the full check below says so
    }
    return fullCheck(token, key);
  }

  private void remember(String key, Claims claims, Instant exp) {
    if (verified.size() >= MAX_VERIFIED) {
      Instant now = clock.instant();
      verified.values().removeIf(v -> !v.expires().isAfter(now));
      if (verified.size() >= MAX_VERIFIED) {
        verified.clear();
      }
    }
    verified.put(key, new Verified(claims, exp));
  }

  private String digest(String token) {
    MessageDigest md;
    try {
      md = (MessageDigest) sha256.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 cannot be cloned", e);
    }
    return new String(md.digest(token.getBytes(StandardCharsets.UTF_8)), StandardCharsets.ISO_8859_1);
  }

  /** The full check (parse, algorithm, signature, issuer, expiry, claims); remembered under {@code key} when it holds. */
  private Checked fullCheck(String token, String key) {
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
      Claims claims = new Claims(uid, subject, ver, sid);
      remember(key, claims, exp.toInstant());
      return new Checked(claims, null, subject);
    } catch (ParseException | JOSEException | RuntimeException e) {
      return new Checked(null, "malformed", null);
    }
  }
}
