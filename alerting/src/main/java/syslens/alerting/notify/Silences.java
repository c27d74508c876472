package syslens.alerting.notify;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import syslens.alerting.notify.Model.Silence;
import syslens.storage.Labels;

/**
 * Silences as Alertmanager keeps them: created, updated (an active silence whose matchers change
 * is expired and replaced by a new one, as Alertmanager does), expired; kept {@link #RETENTION}
 * after their end, so the API still shows who silenced what.
 */
final class Silences {
  static final Duration RETENTION = Duration.ofDays(5);
  static final int MAX_SILENCES = 10_000;
  static final int MAX_MATCHERS = 64;
  private final NotifyStore store;
  private final Clock clock;
  private final Map<String, Silence> byId = new ConcurrentHashMap<>();

  Silences(NotifyStore store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
    for (Silence s : store.silences()) {
      byId.put(s.id(), s);
    }
  }

  /** Reads the silences again (another instance sharing the database changed them). */
  synchronized void reload() {
    Map<String, Silence> fresh = new java.util.HashMap<>();
    for (Silence s : store.silences()) {
      fresh.put(s.id(), s);
    }
    byId.keySet().retainAll(fresh.keySet());
    byId.putAll(fresh);
  }

  List<Silence> list() {
    List<Silence> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparing(Silence::startsAt).reversed());
    return out;
  }

  Optional<Silence> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /**
   * Creates a silence, or updates {@code id} when given; returns the id in force. Throws
   * {@link IllegalArgumentException} naming the bad field.
   */
  synchronized String save(String id, List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy,
      String comment) {
    Instant now = clock.instant();
    if (matchers.isEmpty()) {
      throw new IllegalArgumentException("matchers: empty (expected: at least one matcher)");
    }
    if (matchers.size() > MAX_MATCHERS) {
      throw new IllegalArgumentException("matchers: " + matchers.size() + " (expected: <= " + MAX_MATCHERS + ")");
    }
    if (matchers.stream().allMatch(m -> m.matches(""))) {
      throw new IllegalArgumentException("matchers: " + matchers + " match every alert (expected: at least one "
          + "matcher that does not match the empty string)");
    }
    if (!endsAt.isAfter(startsAt)) {
      throw new IllegalArgumentException("endsAt: " + endsAt + " (expected: after startsAt " + startsAt + ")");
    }
    if (!endsAt.isAfter(now)) {
      throw new IllegalArgumentException("endsAt: " + endsAt + " (expected: in the future)");
    }
    if (createdBy == null || createdBy.isBlank() || createdBy.length() > 128) {
      throw new IllegalArgumentException("createdBy: missing or longer than 128 (expected: who creates the silence)");
    }
    if (comment == null || comment.isBlank() || comment.length() > 4096) {
      throw new IllegalArgumentException("comment: missing or longer than 4096 characters (expected: why)");
    }
    if (id != null) {
      Silence old = byId.get(id);
      if (old == null) {
        throw new java.util.NoSuchElementException("silence " + id + " does not exist (expected: an id from GET /api/v1/silences)");
      }
      if (old.state(now).equals("expired")) {
        throw new IllegalArgumentException("id: silence " + id + " has expired (expected: create a new one)");
      }
      boolean sameMatchers = old.matchers().equals(matchers);
      if (old.state(now).equals("active") && (!sameMatchers || startsAt.isAfter(now))) {
        expire(id); // Alertmanager: a running silence cannot change what it silences; replace it
        id = null;
      } else if (old.state(now).equals("active")) {
        startsAt = old.startsAt();
      }
    } else if (byId.size() >= MAX_SILENCES) {
      gc();
      if (byId.size() >= MAX_SILENCES) {
        throw new IllegalArgumentException("silences: " + MAX_SILENCES + " exist (expected: fewer; expire some)");
      }
    }
    if (startsAt.isBefore(now)) {
      startsAt = now;
    }
    Silence s = new Silence(id == null ? UUID.randomUUID().toString() : id, List.copyOf(matchers), startsAt, endsAt,
        createdBy, comment, now);
    store.putSilence(s);
    byId.put(s.id(), s);
    return s.id();
  }

  /** Ends a silence now; returns it, or empty when unknown. Expiring an expired silence changes nothing. */
  synchronized Optional<Silence> expire(String id) {
    Silence s = byId.get(id);
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (s.state(now).equals("expired")) {
      return Optional.of(s);
    }
    Instant start = s.startsAt().isAfter(now) ? now : s.startsAt();
    Silence e = new Silence(s.id(), s.matchers(), start, now, s.createdBy(), s.comment(), now);
    store.putSilence(e);
    byId.put(id, e);
    return Optional.of(e);
  }

  /** Ids of the active silences muting {@code labels}. */
  List<String> mutedBy(Labels labels, Instant now) {
    List<String> out = null;
    for (Silence s : byId.values()) {
      if (s.mutes(labels, now)) {
        if (out == null) {
          out = new ArrayList<>(1);
        }
        out.add(s.id());
      }
    }
    return out == null ? List.of() : out;
  }

  void gc() {
    Instant cutoff = clock.instant().minus(RETENTION);
    byId.values().removeIf(s -> s.endsAt().isBefore(cutoff));
    store.prune(Instant.EPOCH, cutoff);
  }
}
