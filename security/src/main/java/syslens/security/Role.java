package syslens.security;

import java.util.List;
import java.util.Set;

/**
 * A role: parents it inherits from, permissions it grants and denies, whether it requires TOTP,
 * and the resource scope it declares (label selectors such as {@code {group="team-a"}}; empty:
 * none declared, see {@link Scopes}).
 */
public record Role(String name, List<String> parents, Set<String> grants, Set<String> denies,
    boolean requireTotp, boolean builtin, List<String> scopes) {

  public Role {
    parents = List.copyOf(parents);
    grants = Set.copyOf(grants);
    denies = Set.copyOf(denies);
    scopes = List.copyOf(scopes);
  }

  /** A role that declares no scope. */
  public Role(String name, List<String> parents, Set<String> grants, Set<String> denies,
      boolean requireTotp, boolean builtin) {
    this(name, parents, grants, denies, requireTotp, builtin, List.of());
  }
}
