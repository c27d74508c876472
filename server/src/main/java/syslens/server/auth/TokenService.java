package syslens.server.auth;

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

/** Issues and verifies the API's HS256 bearer tokens. */
public final class TokenService {
  static final String ISSUER = "syslens";
  /** Longer strings are not tokens; they are rejected before parsing. */
  static final int MAX_TOKEN_LENGTH = 4096;

  /** Who a verified token speaks for. */
  public record Principal(String username, String role) {}

  /** A freshly issued token. */
  public record Issued(String token, Instant expiresAt) {}

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;
  private final Duration ttl;

  public TokenService(byte[] secret, Clock clock, Duration ttl) {
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

  public Issued issue(String username, String role) {
    Instant now = clock.instant();
    Instant exp = now.plus(ttl);
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject(username)
        .claim("role", role)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(exp))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing token failed", e);
    }
    return new Issued(jwt.serialize(), exp);
  }

  /** The principal of a valid, unexpired token of ours; empty otherwise. */
  public Optional<Principal> verify(String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return Optional.empty();
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      Date exp = c.getExpirationTime();
      if (!ISSUER.equals(c.getIssuer()) || exp == null || !exp.toInstant().isAfter(clock.instant())) {
        return Optional.empty();
      }
      Object role = c.getClaim("role");
      return Optional.of(new Principal(c.getSubject(), role == null ? "viewer" : role.toString()));
    } catch (ParseException | JOSEException e) {
      return Optional.empty();
    }
  }
}
