package syslens.vsphere.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A lean vSphere (vim25) SOAP client covering only what SysLens uses. Thread-safe: calls run
 * concurrently up to the configured limit. The session cookie from {@link #login()} is sent with
 * every call; when vCenter answers {@code NotAuthenticated} (the session expired or was
 * terminated), the client logs in again once and repeats the call.
 */
public final class VimClient implements AutoCloseable {
  static final Moref SERVICE_INSTANCE = new Moref("ServiceInstance", "ServiceInstance");

  private final VimClientConfig config;
  private final SoapTransport transport;
  private final Object loginLock = new Object();
  private volatile ServiceContent serviceContent;
  private volatile String session;
  private volatile long sessionGeneration;
  private volatile long logins;

  private VimClient(VimClientConfig config) {
    this.config = config;
    this.transport = new SoapTransport(config);
  }

  public static VimClient create(VimClientConfig config) {
    return new VimClient(requireNonNull(config, "config"));
  }

  public VimClientConfig config() {
    return config;
  }

  /** HTTP calls made (including retries and re-logins). */
  public long calls() {
    return transport.calls();
  }

  public long retries() {
    return transport.retries();
  }

  /** Successful logins so far (1 plus re-logins). */
  public long logins() {
    return logins;
  }

  /** The ServiceContent, fetched once. */
  public ServiceContent serviceContent() {
    ServiceContent sc = serviceContent;
    if (sc == null) {
      Xml rv = transport.call("RetrieveServiceContent",
          Soap.envelope("RetrieveServiceContent", SERVICE_INSTANCE, ""), null).body().child("returnval");
      if (rv == null) {
        throw new VimException("RetrieveServiceContent: no returnval (expected: a ServiceContent)");
      }
      sc = ServiceContent.from(rv);
      serviceContent = sc;
    }
    return sc;
  }

  /** Logs in with the configured credentials, replacing any current session. */
  public void login() {
    synchronized (loginLock) {
      doLogin();
    }
  }

  private void doLogin() {
    ServiceContent sc = serviceContent();
    String params = Soap.element("userName", config.user()) + Soap.element("password", config.password());
    SoapTransport.Response<Xml> r = transport.call("Login", Soap.envelope("Login", sc.sessionManager(), params), null);
    if (r.sessionCookie() == null) {
      throw new VimException("Login: vCenter set no " + SoapTransport.SESSION_COOKIE + " cookie");
    }
    session = r.sessionCookie();
    sessionGeneration++;
    logins++;
  }

  /** Ends the session (best effort: a dead session is already over). */
  public void logout() {
    synchronized (loginLock) {
      String s = session;
      session = null;
      if (s != null) {
        try {
          transport.call("Logout", Soap.envelope("Logout", serviceContent().sessionManager(), ""), s);
        } catch (VimException ignored) {
          // the session ends with the connection anyway
        }
      }
    }
  }

  /**
   * Calls {@code method} on {@code self} with already-serialized parameters and returns the
   * response element; logs in first when there is no session, and once more on NotAuthenticated.
   */
  public Xml invoke(String method, Moref self, String params) {
    return invoke(method, self, params, SoapTransport.TREE);
  }

  private <T> T invoke(String method, Moref self, String params, SoapTransport.BodyReader<T> reader) {
    String envelope = Soap.envelope(method, self, params);
    long generation;
    String s;
    synchronized (loginLock) {
      if (session == null) {
        doLogin();
      }
      generation = sessionGeneration;
      s = session;
    }
    try {
      return transport.call(method, envelope, s, reader).body();
    } catch (VimFaultException e) {
      if (!e.isNotAuthenticated()) {
        throw e;
      }
      synchronized (loginLock) {
        if (sessionGeneration == generation) { // nobody re-logged in meanwhile
          session = null;
          doLogin();
        }
        s = session;
      }
      return transport.call(method, envelope, s, reader).body();
    }
  }

  // ---- ViewManager / PropertyCollector ----

  /** Creates a ContainerView over {@code container} for the given managed object types. */
  public Moref createContainerView(Moref container, List<String> types, boolean recursive) {
    StringBuilder p = new StringBuilder(container.toXml("container"));
    types.forEach(t -> p.append(Soap.element("type", t)));
    p.append(Soap.element("recursive", Boolean.toString(recursive)));
    Xml rv = invoke("CreateContainerView", serviceContent().viewManager(), p.toString()).child("returnval");
    return rv.moref();
  }

  public void destroyView(Moref view) {
    invoke("DestroyView", view, "");
  }

  /**
   * Retrieves every object of a property filter spec, page by page
   * (RetrievePropertiesEx, then ContinueRetrievePropertiesEx while vCenter returns a token).
   */
  public List<ObjectContent> retrieveAll(PropertySpec spec, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize: " + pageSize + " (expected: > 0)");
    }
    Moref pc = serviceContent().propertyCollector();
    List<ObjectContent> out = new ArrayList<>();
    Xml rv = invoke("RetrievePropertiesEx", pc, spec.toXml()
        + "<options><maxObjects>" + pageSize + "</maxObjects></options>").child("returnval");
    while (rv != null) {
      for (Xml o : rv.all("objects")) {
        out.add(ObjectContent.from(o));
      }
      String token = rv.childText("token");
      if (token.isEmpty()) {
        break;
      }
      rv = invoke("ContinueRetrievePropertiesEx", pc, Soap.element("token", token)).child("returnval");
    }
    return out;
  }

  /** Creates a PropertyFilter (full, not partial, updates) on this session's PropertyCollector. */
  public Moref createFilter(PropertySpec spec) {
    return invoke("CreateFilter", serviceContent().propertyCollector(),
        spec.toXml("spec") + "<partialUpdates>false</partialUpdates>").child("returnval").moref();
  }

  public void destroyFilter(Moref filter) {
    invoke("DestroyPropertyFilter", filter, "");
  }

  /**
   * WaitForUpdatesEx without waiting (maxWaitSeconds 0): the changes since {@code version} (""
   * for the current state of every object), at most {@code maxObjectUpdates} objects; null when
   * nothing changed.
   */
  public Xml waitForUpdates(String version, int maxObjectUpdates) {
    return invoke("WaitForUpdatesEx", serviceContent().propertyCollector(), Soap.element("version", version)
        + "<options><maxWaitSeconds>0</maxWaitSeconds><maxObjectUpdates>" + maxObjectUpdates
        + "</maxObjectUpdates></options>").child("returnval");
  }

  /** The properties of one object. */
  public Map<String, Xml> properties(Moref obj, String... paths) {
    List<ObjectContent> r = retrieveAll(PropertySpec.of(obj, paths), 1);
    return r.isEmpty() ? Map.of() : r.getFirst().props();
  }

  // ---- CustomFieldsManager ----

  /** The key of the custom attribute named {@code name} (any object type), if vCenter defines one. */
  public OptionalInt customFieldKey(String name) {
    Moref cfm = serviceContent().customFieldsManager();
    if (cfm == null) {
      return OptionalInt.empty();
    }
    Xml arr = properties(cfm, "field").get("field");
    if (arr != null) {
      for (Xml def : arr.children()) {
        if (name.equals(def.childText("name"))) {
          try {
            return OptionalInt.of(Integer.parseInt(def.childText("key").trim()));
          } catch (NumberFormatException e) {
            return OptionalInt.empty();
          }
        }
      }
    }
    return OptionalInt.empty();
  }

  // ---- OptionManager ----

  /** A numeric vCenter advanced setting (e.g. config.vpxd.stats.maxQueryMetrics), if set. */
  public OptionalLong numericOption(String name) {
    Moref setting = serviceContent().setting();
    if (setting == null) {
      return OptionalLong.empty();
    }
    try {
      Xml r = invoke("QueryOptions", setting, Soap.element("name", name));
      for (Xml rv : r.all("returnval")) {
        if (name.equals(rv.childText("key"))) {
          return OptionalLong.of(Long.parseLong(rv.childText("value").trim()));
        }
      }
    } catch (VimFaultException e) {
      if (!"InvalidName".equals(e.faultName())) {
        throw e;
      }
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  // ---- PerformanceManager ----

  /** Every counter the vCenter defines, keyed by "group.name.rollup" (e.g. cpu.usage.average). */
  public Map<String, PerfCounter> perfCounters() {
    Map<String, Xml> props = properties(serviceContent().perfManager(), "perfCounter");
    Map<String, PerfCounter> out = new LinkedHashMap<>();
    Xml arr = props.get("perfCounter");
    if (arr != null) {
      for (Xml c : arr.children()) {
        PerfCounter pc = PerfCounter.from(c);
        out.putIfAbsent(pc.fullName(), pc);
      }
    }
    return out;
  }

  /** The entity's realtime refresh rate in seconds, or -1 when it has no realtime statistics. */
  public int perfRefreshRate(Moref entity) {
    Xml rv = invoke("QueryPerfProviderSummary", serviceContent().perfManager(), entity.toXml("entity"))
        .child("returnval");
    if (rv == null || !"true".equals(rv.childText("currentSupported"))) {
      return -1;
    }
    return Integer.parseInt(rv.childText("refreshRate").trim());
  }

  /** The metrics (counter id, instance) available for an entity at an interval. */
  public List<PerfMetricId> availablePerfMetrics(Moref entity, int intervalId) {
    Xml r = invoke("QueryAvailablePerfMetric", serviceContent().perfManager(),
        entity.toXml("entity") + Soap.element("intervalId", Integer.toString(intervalId)));
    List<PerfMetricId> out = new ArrayList<>();
    for (Xml id : r.all("returnval")) {
      out.add(new PerfMetricId(Integer.parseInt(id.childText("counterId").trim()), id.childText("instance")));
    }
    return out;
  }

  /** QueryPerf: samples for each spec (normal format). */
  public List<PerfEntityMetrics> queryPerf(List<PerfQuery> queries) {
    StringBuilder p = new StringBuilder(queries.size() * 512);
    for (PerfQuery q : queries) {
      q.appendXml(p);
    }
    return invoke("QueryPerf", serviceContent().perfManager(), p.toString(), PerfEntityMetrics::readResponse);
  }

  /** The vCenter's current time (ServiceInstance.CurrentTime). */
  public Instant currentTime() {
    Xml rv = invoke("CurrentTime", SERVICE_INSTANCE, "").child("returnval");
    return Instant.parse(rv.text().trim());
  }

  @Override
  public void close() {
    logout();
    transport.close();
  }
}
