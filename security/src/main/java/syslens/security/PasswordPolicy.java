package syslens.security;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * At least 12 characters, at least three of four character classes (lower case, upper case,
 * digits, others), not containing the user name, and not a common password, also when decorated
 * with digits or symbols at either end. The lists shipped as resources: {@code
 * common-passwords-20k.txt.gz} (19,726 leaked passwords, lower case, from Django's
 * CommonPasswordValidator, BSD-3-Clause; see the module README) and {@code common-passwords.txt}
 * (SysLens' own additions). Lookup is one hash-set probe per candidate.
 */
public final class PasswordPolicy {
  public static final int MIN_LENGTH = 12;
  static final int MIN_CLASSES = 3;
  private final Set<String> common;

  private PasswordPolicy(Set<String> common) {
    this.common = common;
  }

  /** The policy with the lists shipped as resources. */
  public static PasswordPolicy create() {
    Set<String> words = new HashSet<>(32_768);
    read("common-passwords-20k.txt.gz", words);
    read("common-passwords.txt", words);
    return new PasswordPolicy(Set.copyOf(words));
  }

  /** How many distinct common passwords the policy refuses. */
  int commonCount() {
    return common.size();
  }

  private static void read(String resource, Set<String> into) {
    try (InputStream raw = PasswordPolicy.class.getResourceAsStream(resource)) {
      if (raw == null) {
        throw new IllegalStateException(resource + " missing from the security module");
      }
      InputStream in = resource.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        String w = line.strip().toLowerCase(Locale.ROOT);
        if (!w.isEmpty() && !w.startsWith("#")) {
          into.add(w);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }

  /** What is wrong with {@code password} for {@code username}, or empty when it is acceptable. */
  public Optional<String> check(String username, String password) {
    if (password == null) {
      return Optional.of("password: missing (expected: a string)");
    }
    int len = password.codePointCount(0, password.length());
    if (len < MIN_LENGTH) {
      return Optional.of("password: " + len + " characters (expected: >= " + MIN_LENGTH + ")");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > Passwords.MAX_BYTES) {
      return Optional.of("password: longer than " + Passwords.MAX_BYTES + " bytes (expected: <= "
          + Passwords.MAX_BYTES + " bytes, bcrypt's limit)");
    }
    boolean lower = false;
    boolean upper = false;
    boolean digit = false;
    boolean other = false;
    for (int i = 0; i < password.length(); i++) {
      char c = password.charAt(i);
      if (Character.isLowerCase(c)) {
        lower = true;
      } else if (Character.isUpperCase(c)) {
        upper = true;
      } else if (Character.isDigit(c)) {
        digit = true;
      } else {
        other = true;
      }
    }
    int classes = (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (other ? 1 : 0);
    if (classes < MIN_CLASSES) {
      return Optional.of("password: " + classes + " character classes (expected: at least "
          + MIN_CLASSES + " of lower case, upper case, digits, other characters)");
    }
    String lowered = password.toLowerCase(Locale.ROOT);
    if (username != null && username.length() >= 3
        && lowered.contains(username.toLowerCase(Locale.ROOT))) {
      return Optional.of("password: contains the user name (expected: a password unrelated to it)");
    }
    if (common.contains(lowered) || common.contains(core(lowered))) {
      return Optional.of("password: a commonly used password (expected: one not on the list of "
          + "common passwords)");
    }
    return Optional.empty();
  }

  /** The password without digits and symbols at either end: "Password123!" -> "password". */
  private static String core(String lowered) {
    int b = 0;
    int e = lowered.length();
    while (b < e && !Character.isLetter(lowered.charAt(b))) {
      b++;
    }
    while (e > b && !Character.isLetter(lowered.charAt(e - 1))) {
      e--;
    }
    return lowered.substring(b, e);
  }
}
