package syslens.server;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Everything the composition root needs; built by the CLI or by tests. */
public record ServerConfig(
    String bindAddress,
    int port,
    Path dataDir,
    Path tlsCertFile,
    Path tlsKeyFile,
    java.util.List<String> tlsSans,
    String adminPassword,
    String enrollmentToken,
    Duration collectInterval,
    Duration offlineAfter,
    syslens.server.api.QueryLimits queryLimits,
    String metadataUrl,
    String metadataUser,
    String metadataPassword,
    Clock clock,
    int maxSeriesPerNode,
    syslens.server.ingest.HttpIngestLimits ingestLimits,
    syslens.server.auth.RateLimits rateLimits,
    java.util.List<String> corsOrigins,
    AgentAuth agentAuth,
    boolean allowShellCommands,
    Duration nodeExpiry,
    syslens.security.OidcSettings oidc,
    Duration guestInterval, String masterKey, StorageSettings storage, java.util.Set<Role> roles,
    syslens.vsphere.perf.PerfInstances vsphereInstances,
    syslens.kafka.KafkaBusSettings ingestBus) {

  /** A summary that never shows the admin password, the metadata password or the master key. */
  @Override
  public String toString() {
    return "ServerConfig[dataDir=" + dataDir + ", bind=" + bindAddress + ":" + port + ", metadataUrl=" + metadataUrl
        + ", storage=" + storage + (ingestBus != null ? ", ingest bus " + ingestBus : "") + ", roles=" + roles
        + ", secrets redacted]";
  }

  /** True when this instance has the role. */
  public boolean has(Role role) {
    return roles.contains(role);
  }

  /** True when the metadata database is PostgreSQL (shared by several instances), not embedded H2. */
  public boolean sharedMetadata() {
    return metadataUrl != null && !metadataUrl.isEmpty();
  }

  /** Series one node (one agent credential) may create, so one agent cannot exhaust the TSDB. */
  public static final int DEFAULT_MAX_SERIES_PER_NODE = 50_000;

  /**
   * How agents authenticate (docs/adr/0006-agent-certificates.md): whether the installation's
   * shared enrollment token still enrolls new nodes, whether every node must use its client
   * certificate (no per-node secrets, no enrolment without a CSR), and how long an issued client
   * certificate is valid (agents renew when a third of it is left).
   */
  public record AgentAuth(boolean sharedEnrollmentToken, boolean requireCertificates, Duration certificateValidity) {
    public AgentAuth {
      requireNonNull(certificateValidity, "certificateValidity");
      if (certificateValidity.compareTo(Duration.ofMinutes(1)) < 0
          || certificateValidity.compareTo(Duration.ofDays(825)) > 0) {
        throw new IllegalArgumentException("agent certificate validity: " + certificateValidity
            + " (expected: 1 minute to 825 days)");
      }
    }

    /** Shared token on, certificates issued to agents that ask but not required, 90 days. */
    public static AgentAuth defaults() {
      return new AgentAuth(true, false, Duration.ofDays(90));
    }
  }

  public ServerConfig {
    roles = java.util.Set.copyOf(requireNonNull(roles, "roles"));
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("roles: none (expected: at least one of ingest, api, alerting, collector, writer)");
    }
    requireNonNull(agentAuth, "agentAuth");
    requireNonNull(storage, "storage");
    requireNonNull(bindAddress, "bindAddress");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(collectInterval, "collectInterval");
    requireNonNull(offlineAfter, "offlineAfter");
    requireNonNull(nodeExpiry, "nodeExpiry");
    if (nodeExpiry.toMinutes() < 1) {
      throw new IllegalArgumentException("nodeExpiry: " + nodeExpiry + " (expected: >= 1m)");
    }
    requireNonNull(clock, "clock");
    requireNonNull(queryLimits, "queryLimits");
    requireNonNull(ingestLimits, "ingestLimits");
    requireNonNull(rateLimits, "rateLimits");
    corsOrigins = java.util.List.copyOf(requireNonNull(corsOrigins, "corsOrigins"));
    for (String o : corsOrigins) {
      if (!o.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
        throw new IllegalArgumentException("CORS origin: " + o + " (expected: scheme://host[:port], e.g. "
            + "https://grafana.example.com, without a path)");
      }
    }
    tlsSans = java.util.List.copyOf(requireNonNull(tlsSans, "tlsSans"));
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
    }
    if ((tlsCertFile == null) != (tlsKeyFile == null)) {
      throw new IllegalArgumentException("TLS: give both --tls-cert and --tls-key, or neither");
    }
    if (maxSeriesPerNode < 1) {
      throw new IllegalArgumentException("maxSeriesPerNode: " + maxSeriesPerNode + " (expected: >= 1)");
    }
    if (metadataUrl != null && !metadataUrl.isEmpty() && !metadataUrl.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException("metadata url: " + metadataUrl
          + " (expected: empty for the embedded H2 database, or jdbc:postgresql://HOST:PORT/DB)");
    }
    if (collectInterval.toMillis() < 100) {
      throw new IllegalArgumentException("collectInterval: " + collectInterval + " (expected: >= 100ms)");
    }
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Defaults: 127.0.0.1, port 0 (any), self-managed TLS, 10 s collection, offline after 30 s. */
  public static final class Builder {
    private String bindAddress = "127.0.0.1";
    private int port;
    private final Path dataDir;
    private Path tlsCertFile;
    private Path tlsKeyFile;
    private java.util.List<String> tlsSans = java.util.List.of();
    private String adminPassword;
    private String masterKey;
    private String enrollmentToken;
    private Duration collectInterval = Duration.ofSeconds(10);
    private Duration offlineAfter;
    private Clock clock = Clock.systemUTC();
    private int maxSeriesPerNode = DEFAULT_MAX_SERIES_PER_NODE;
    private syslens.server.api.QueryLimits queryLimits = syslens.server.api.QueryLimits.defaults();
    private String metadataUrl;
    private String metadataUser;
    private String metadataPassword;
    private boolean allowShellCommands;
    private Duration nodeExpiry = Duration.ofDays(30);
    private syslens.security.OidcSettings oidc;
    private Duration guestInterval = Duration.ofSeconds(60);
    private StorageSettings storage = StorageSettings.embedded();
    private java.util.Set<Role> roles = Role.all();
    private syslens.vsphere.perf.PerfInstances vsphereInstances = syslens.vsphere.perf.PerfInstances.defaults();

    /** The per-instance vSphere series (per CPU, disk, NIC) besides the aggregates; default disks and NICs. */
    public Builder vsphereInstances(syslens.vsphere.perf.PerfInstances i) {
      this.vsphereInstances = requireNonNull(i, "vsphereInstances");
      return this;
    }

    private syslens.kafka.KafkaBusSettings ingestBus;

    /**
     * Kafka between ingest and the store (null, the default: ingest writes to the store itself);
     * instances with the {@link Role#WRITER} role consume it (docs/operations.md, "Kafka ingest bus").
     */
    public Builder ingestBus(syslens.kafka.KafkaBusSettings k) {
      this.ingestBus = k;
      return this;
    }

    /** What this instance does (default: every role). */
    public Builder roles(java.util.Set<Role> r) {
      this.roles = requireNonNull(r, "roles");
      return this;
    }

    /** Where time series live (default: {@link StorageSettings#embedded()}). */
    public Builder storage(StorageSettings s) {
      this.storage = requireNonNull(s, "storage");
      return this;
    }

    /** How often the vSphere guest collection (SSH, WinRM, scripts) reads each covered VM; default 60 s. */
    public Builder guestInterval(Duration d) {
      requireNonNull(d, "guestInterval");
      if (d.toSeconds() < 10 || d.toHours() > 24) {
        throw new IllegalArgumentException("guestInterval: " + d.toSeconds() + "s (expected: 10 s..24 h)");
      }
      this.guestInterval = d;
      return this;
    }

    /** OpenID Connect single sign-on; null (default): off. */
    public Builder oidc(syslens.security.OidcSettings settings) {
      this.oidc = settings;
      return this;
    }

    /** Agent nodes not heard from for this long are removed from the registry; default 30 days. */
    public Builder nodeExpiry(Duration d) {
      this.nodeExpiry = requireNonNull(d, "nodeExpiry");
      return this;
    }

    /** Lets administrators send the {@code shell} command (arbitrary command lines) to agents; off by default. */
    public Builder allowShellCommands(boolean allow) {
      this.allowShellCommands = allow;
      return this;
    }
    private syslens.server.ingest.HttpIngestLimits ingestLimits = syslens.server.ingest.HttpIngestLimits.defaults();
    private syslens.server.auth.RateLimits rateLimits = syslens.server.auth.RateLimits.defaults();
    private java.util.List<String> corsOrigins = java.util.List.of();
    private AgentAuth agentAuth = AgentAuth.defaults();

    private Builder(Path dataDir) {
      this.dataDir = requireNonNull(dataDir, "dataDir");
    }

    public Builder bindAddress(String a) {
      this.bindAddress = a;
      return this;
    }

    public Builder port(int p) {
      this.port = p;
      return this;
    }

    public Builder tls(Path cert, Path key) {
      this.tlsCertFile = cert;
      this.tlsKeyFile = key;
      return this;
    }

    /** Extra names (DNS or IP) for the self-managed server certificate: what agents dial. */
    public Builder tlsSans(java.util.List<String> names) {
      this.tlsSans = names;
      return this;
    }

    /**
     * The master key sealing stored secrets (32 random bytes, base64url; from {@code
     * SYSLENS_MASTER_KEY}); null or empty: the key file {@code data/secrets/master-key}, created on
     * first start.
     */
    public Builder masterKey(String base64url) {
      this.masterKey = base64url == null || base64url.isBlank() ? null : base64url.strip();
      return this;
    }

    public Builder adminPassword(String p) {
      this.adminPassword = p;
      return this;
    }

    public Builder enrollmentToken(String t) {
      this.enrollmentToken = t;
      return this;
    }

    public Builder collectInterval(Duration d) {
      this.collectInterval = d;
      return this;
    }

    public Builder maxSeriesPerNode(int n) {
      this.maxSeriesPerNode = n;
      return this;
    }

    public Builder offlineAfter(Duration d) {
      this.offlineAfter = d;
      return this;
    }

    /** Query timeout, sample/series limits, concurrency and queue (defaults: {@code QueryLimits.defaults()}). */
    public Builder queryLimits(syslens.server.api.QueryLimits l) {
      this.queryLimits = requireNonNull(l, "queryLimits");
      return this;
    }

    /**
     * The metadata database: null or empty for the embedded H2 file under the data directory,
     * else a PostgreSQL JDBC URL (with user and password, which may be null).
     */
    public Builder metadata(String url, String user, String password) {
      this.metadataUrl = url;
      this.metadataUser = user;
      this.metadataPassword = password;
      return this;
    }

    /** Body size limits of POST /api/v1/write and /api/v1/import/prometheus. */
    public Builder ingestLimits(syslens.server.ingest.HttpIngestLimits l) {
      this.ingestLimits = requireNonNull(l, "ingestLimits");
      return this;
    }

    /** Request budgets per user, API key, source address and for login (default: {@code RateLimits.defaults()}). */
    public Builder rateLimits(syslens.server.auth.RateLimits l) {
      this.rateLimits = requireNonNull(l, "rateLimits");
      return this;
    }

    /** Origins allowed to call the API from a browser (CORS); empty (the default) allows none. */
    public Builder corsOrigins(java.util.List<String> origins) {
      this.corsOrigins = requireNonNull(origins, "corsOrigins");
      return this;
    }

    /** How agents authenticate (default: {@link AgentAuth#defaults()}). */
    public Builder agentAuth(AgentAuth a) {
      this.agentAuth = requireNonNull(a, "agentAuth");
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    public ServerConfig build() {
      Duration offline = offlineAfter != null ? offlineAfter
          : collectInterval.multipliedBy(3).compareTo(Duration.ofSeconds(30)) > 0
              ? collectInterval.multipliedBy(3) : Duration.ofSeconds(30);
      return new ServerConfig(bindAddress, port, dataDir, tlsCertFile, tlsKeyFile, tlsSans, adminPassword,
          enrollmentToken, collectInterval, offline, queryLimits, metadataUrl, metadataUser,
          metadataPassword, clock, maxSeriesPerNode, ingestLimits, rateLimits, corsOrigins, agentAuth,
          allowShellCommands, nodeExpiry, oidc, guestInterval, masterKey, storage, roles, vsphereInstances,
          ingestBus);
    }
  }
}
