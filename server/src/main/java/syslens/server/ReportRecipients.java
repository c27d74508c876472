package syslens.server;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import syslens.report.ReportScheduler;
import syslens.report.Schedule.Mailbox;
import syslens.report.Schedule.Recipient;
import syslens.security.EffectivePermissions;
import syslens.security.Security;
import syslens.security.User;
import syslens.server.auth.RequestScope;
import syslens.storage.Queryable;
import syslens.storage.ScopedQueryable;

/**
 * Who a scheduled report goes to and what it may show: a user recipient is their e-mail address
 * ({@code user_emails}) in their preferred language; a group is every enabled user holding that
 * role (SysLens has no other groups of people); a schedule's report is computed over what its
 * owner may see now (their scope), and not at all once the owner is gone, disabled or lost the
 * permission to read reports.
 */
final class ReportRecipients implements ReportScheduler.Recipients {
  static final String PERMISSION = "monitoring:report:read";
  private final Security security;
  private final ReportScheduleStore store;
  private final RequestScope scopes;
  private final Queryable storage;

  ReportRecipients(Security security, ReportScheduleStore store, RequestScope scopes, Queryable storage) {
    this.security = requireNonNull(security, "security");
    this.store = requireNonNull(store, "store");
    this.scopes = requireNonNull(scopes, "scopes");
    this.storage = requireNonNull(storage, "storage");
  }

  @Override
  public List<Mailbox> resolve(Recipient r) {
    return switch (r.type()) {
      case ADDRESS -> List.of(new Mailbox(r.value(), r.language() == null ? "en" : r.language(), null));
      case USER -> {
        Optional<User> u = security.users().get(r.value());
        if (u.isEmpty() || u.get().disabled()) {
          throw new IllegalArgumentException("recipient user \"" + r.value() + "\": " + (u.isEmpty() ? "no such user"
              : "disabled") + " (expected: an enabled SysLens user)");
        }
        String email = store.email(u.get().username()).orElseThrow(() -> new IllegalArgumentException("recipient user "
            + r.value() + ": no e-mail address (expected: the user sets one with PUT " + ReportsWiring.EMAIL_PATH + ")"));
        yield List.of(new Mailbox(email, u.get().language(), u.get().username()));
      }
      case GROUP -> {
        if (security.roles().get(r.value()).isEmpty()) {
          throw new IllegalArgumentException("recipient group \"" + r.value() + "\": no such role (expected: a role "
              + "name; a group is every user holding the role)");
        }
        List<Mailbox> out = new ArrayList<>();
        for (User u : security.users().list()) {
          if (!u.disabled() && u.role().equals(r.value())) {
            store.email(u.username()).ifPresent(e -> out.add(new Mailbox(e, u.language(), u.username())));
          }
        }
        if (out.isEmpty()) {
          throw new IllegalArgumentException("recipient group " + r.value() + ": no enabled user holding this role has "
              + "an e-mail address (expected: members who set one with PUT " + ReportsWiring.EMAIL_PATH + ")");
        }
        yield out;
      }
    };
  }

  /** The storage as {@code owner} may see it now; refuses when the owner may no longer read reports. */
  Queryable visibleFor(String owner) {
    Optional<User> u = security.users().get(owner);
    if (u.isEmpty() || u.get().disabled()) {
      throw new IllegalStateException("schedule owner " + owner + " " + (u.isEmpty() ? "no longer exists" : "is disabled")
          + " (expected: an enabled owner; the schedule does not run)");
    }
    EffectivePermissions e = security.users().effective(u.get());
    if (!e.can(PERMISSION)) {
      throw new IllegalStateException("schedule owner " + owner + " lacks " + PERMISSION + " (expected: an owner who "
          + "may read reports; the schedule does not run)");
    }
    return ScopedQueryable.of(storage, scopes.of(e.scope()));
  }
}
