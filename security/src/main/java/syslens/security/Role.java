package syslens.security;

import java.util.List;
import java.util.Set;

/** A role: parents it inherits from, permissions it grants and denies, whether it requires TOTP. */
public record Role(String name, List<String> parents, Set<String> grants, Set<String> denies,
    boolean requireTotp, boolean builtin) {

  public Role {
    parents = List.copyOf(parents);
    grants = Set.copyOf(grants);
    denies = Set.copyOf(denies);
  }
}
