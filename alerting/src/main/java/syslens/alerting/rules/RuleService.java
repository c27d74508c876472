package syslens.alerting.rules;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rule management: the stored groups plus the built-in one, kept in step with the
 * {@link RuleManager}. A change is compiled against all other groups first (composite
 * references, expressions) and saved only when that succeeds, so a bad change answers with the
 * reason and leaves everything as it was.
 */
public final class RuleService {
  private final RuleRepository repository;
  private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final RuleManager manager;
  private final Object lock = new Object();

  private RuleService(RuleRepository repository, RuleManager manager) {
    this.repository = repository;
    this.manager = manager;
  }

  /** Loads the stored groups into {@code manager}. */
  public static RuleService create(RuleRepository repository, RuleManager manager) {
    RuleService s = new RuleService(requireNonNull(repository, "repository"),
        requireNonNull(manager, "manager"));
    synchronized (s.lock) {
      manager.setGroups(s.withBuiltin(repository.list()));
    }
    return s;
  }

  private List<GroupSpec> withBuiltin(List<GroupSpec> stored) {
    List<GroupSpec> all = new ArrayList<>();
    all.add(BuiltinRules.group());
    all.addAll(stored);
    return all;
  }

  /** Stored groups (without the built-in one). */
  public List<GroupSpec> list() {
    return repository.list();
  }

  public Optional<GroupSpec> get(String name) {
    if (BuiltinRules.GROUP.equals(name)) {
      return Optional.of(BuiltinRules.group());
    }
    return repository.list().stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /** Creates or replaces groups (all or none); true for each group that existed before. */
  public List<Boolean> put(List<GroupSpec> groups, String actor) {
    synchronized (lock) {
      Map<String, GroupSpec> all = new LinkedHashMap<>();
      repository.list().forEach(g -> all.put(g.name(), g));
      List<Boolean> existed = new ArrayList<>();
      for (GroupSpec g : groups) {
        if (BuiltinRules.GROUP.equals(g.name())) {
          throw new IllegalArgumentException("group \"" + g.name() + "\": name: reserved for the "
              + "built-in rules (expected: another name)");
        }
        existed.add(all.put(g.name(), g) != null);
      }
      manager.setGroups(withBuiltin(new ArrayList<>(all.values())));
      repository.save(groups, actor);
      changed();
      return existed;
    }
  }

  /**
   * Takes the stored groups again (another instance sharing the database changed them). Throws
   * IllegalArgumentException, and nothing changes, when they do not compile here.
   */
  public void reload() {
    synchronized (lock) {
      manager.setGroups(withBuiltin(repository.list()));
    }
  }

  /** Runs {@code listener} after each change made here (the cluster tells the other instances). */
  public void onChange(Runnable listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  private void changed() {
    for (Runnable r : listeners) {
      r.run();
    }
  }

  /** Deletes a group; false when there was none. Refused when a composite rule still names its rules. */
  public boolean delete(String name) {
    synchronized (lock) {
      if (BuiltinRules.GROUP.equals(name)) {
        throw new IllegalArgumentException("group \"" + name + "\": the built-in group cannot be "
            + "deleted");
      }
      List<GroupSpec> rest = new ArrayList<>(repository.list());
      if (!rest.removeIf(g -> g.name().equals(name))) {
        return false;
      }
      manager.setGroups(withBuiltin(rest));
      boolean deleted = repository.delete(name);
      changed();
      return deleted;
    }
  }
}
