package syslens.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import syslens.server.api.QueryLimits;

/** {@code syslens server|demo|tool}: the server's command line. */
@Command(name = "syslens", mixinStandardHelpOptions = true, version = "SysLens 0.1.0",
    description = "Monitoring for server fleets and vCenter estates.",
    subcommands = {Main.ServerCommand.class, Main.DemoCommand.class, Main.ToolCommand.class,
        syslens.server.admin.AdminCommand.class})
public final class Main implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.err);
  }

  public static void main(String[] args) {
    int rc = commandLine().execute(args);
    if (rc != 0 || args.length == 0 || !isServing(args) || args[0].equals("tool")) {
      System.exit(rc);
    }
  }

  /** The command line with its error handling: a failure prints "syslens: reason", exit 1. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println("syslens: " + ex.getMessage());
      cmd.getErr().flush();
      return 1;
    });
    return cl;
  }

  private static boolean isServing(String[] args) {
    if (!args[0].equals("server") && !args[0].equals("demo")) {
      return false;
    }
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h") || a.equals("--version") || a.equals("-V")) {
        return false;
      }
    }
    return true;
  }

  @Command(name = "tool", mixinStandardHelpOptions = true,
      description = "Utilities.", subcommands = {Main.PromqlTestCommand.class,
          Main.RuleTestCommand.class})
  static final class ToolCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getErr());
    }
  }

  @Command(name = "promql-test", mixinStandardHelpOptions = true,
      description = "Run every *.test file in DIR (Prometheus PromQL test scripts) against the "
          + "embedded engine and TSDB; ends with 'N passed, M failed', exit 1 when M > 0.")
  static final class PromqlTestCommand implements Callable<Integer> {
    @CommandLine.Parameters(paramLabel = "DIR", description = "Directory of *.test files.")
    Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      int failed = syslens.server.tool.PromqlTestTool.create(spec.commandLine().getOut()).run(dir);
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(name = "rule-test", mixinStandardHelpOptions = true,
      description = "Run rule unit-test files (promtool test rules format, plus the syslens rule "
          + "kinds) against the embedded engine and TSDB; ends with 'N passed, M failed', exit 1 "
          + "when M > 0.")
  static final class RuleTestCommand implements Callable<Integer> {
    @CommandLine.Parameters(paramLabel = "FILE", arity = "1..*", description = "Test files.")
    java.util.List<Path> files;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      int failed = syslens.server.tool.RuleTestTool.create(spec.commandLine().getOut()).run(files);
      return failed == 0 ? 0 : 1;
    }
  }

  abstract static class Common {
    @Option(names = "--port", paramLabel = "PORT",
        description = "Port for HTTPS, gRPC and (from this host) plain HTTP. Default: 8080, or the next free port up to 8099.")
    Integer port;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "./data",
        description = "Data directory (storage, metadata, TLS, secrets). Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--collect-interval", paramLabel = "DURATION", defaultValue = "10s",
        description = "Collection interval pushed to agents, e.g. 10s, 1m. Default: ${DEFAULT-VALUE}.")
    String collectInterval;

    @Option(names = "--guest-interval", paramLabel = "DURATION", defaultValue = "60s",
        description = "How often vSphere guest collection (SSH, WinRM, scripts) reads each VM with a guest "
            + "credential. Default: ${DEFAULT-VALUE}.")
    String guestInterval;

    @Option(names = "--vsphere-vm-instances", paramLabel = "GROUPS", defaultValue = "disk,net",
        description = "Per-instance vSphere series of VMs besides the aggregates: none, all, or a list of cpu "
            + "(per vCPU), disk (per virtual disk), net (per NIC). Default: ${DEFAULT-VALUE}.")
    String vsphereVmInstances;

    @Option(names = "--vsphere-host-instances", paramLabel = "GROUPS", defaultValue = "disk,net",
        description = "Per-instance vSphere series of ESXi hosts: none, all, or a list of cpu (per logical CPU), "
            + "disk (per storage device and adapter), net (per vmnic). Default: ${DEFAULT-VALUE}.")
    String vsphereHostInstances;

    @Option(names = "--node-expiry", paramLabel = "DURATION", defaultValue = "30d",
        description = "Agent nodes not heard from for this long leave the registry (their data stays). "
            + "Default: ${DEFAULT-VALUE}.")
    String nodeExpiry;

    @Option(names = "--allow-shell-commands",
        description = "Let administrators send arbitrary shell command lines to agents (the 'shell' command; "
            + "agents must also allow it). Off by default: only named actions and configured custom commands.")
    boolean allowShellCommands;

    @Option(names = "--max-series-per-node", paramLabel = "N", defaultValue = "50000",
        description = "Series one node may create; beyond, its new series are refused"
            + " (LIMIT_EXCEEDED) so one agent cannot exhaust storage. Default: ${DEFAULT-VALUE}.")
    int maxSeriesPerNode;

    @Option(names = "--query-timeout", paramLabel = "DURATION", defaultValue = "2m",
        description = "Longest a query may run. Default: ${DEFAULT-VALUE}.")
    String queryTimeout;

    @Option(names = "--query-max-samples", paramLabel = "N", defaultValue = "50000000",
        description = "Most samples one query may hold in memory. Default: ${DEFAULT-VALUE}.")
    long queryMaxSamples;

    @Option(names = "--query-max-series", paramLabel = "N", defaultValue = "300000",
        description = "Most series one query may return. Default: ${DEFAULT-VALUE}.")
    int queryMaxSeries;

    @Option(names = "--query-max-concurrency", paramLabel = "N",
        description = "Queries evaluated at once; more wait in a queue. Default: the number of cores (at least 2).")
    Integer queryMaxConcurrency;

    @Option(names = "--query-queue-timeout", paramLabel = "DURATION", defaultValue = "30s",
        description = "Longest a query waits in the queue before failing. Default: ${DEFAULT-VALUE}.")
    String queryQueueTimeout;

    QueryLimits queryLimits() {
      QueryLimits d = QueryLimits.defaults();
      try {
        return new QueryLimits(parseDuration("--query-timeout", queryTimeout), queryMaxSamples,
            queryMaxSeries, queryMaxConcurrency != null ? queryMaxConcurrency : d.maxConcurrent(),
            d.maxQueued(), parseDuration("--query-queue-timeout", queryQueueTimeout));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("query limits: " + e.getMessage(), e);
      }
    }

    @Option(names = "--metadata-url", paramLabel = "JDBC_URL", defaultValue = "${env:SYSLENS_METADATA_URL:-}",
        description = "Metadata database: empty for the embedded H2 file under DATA (default), or "
            + "jdbc:postgresql://HOST:PORT/DB (user and password from SYSLENS_METADATA_USER and "
            + "SYSLENS_METADATA_PASSWORD). Default: $SYSLENS_METADATA_URL.")
    String metadataUrl;

    @Option(names = "--storage", paramLabel = "KIND", defaultValue = "${env:SYSLENS_STORAGE:-embedded}",
        description = "Where time series live: embedded (the TSDB under DATA), prometheus-remote (a "
            + "Prometheus-compatible store: VictoriaMetrics, Mimir, Thanos Receive; needs --storage-url) or "
            + "influxdb (InfluxDB 1.x; --storage-url http://HOST:8086/write?db=DB&precision=ms). "
            + "Default: $SYSLENS_STORAGE, else embedded.")
    String storage;

    @Option(names = "--storage-url", paramLabel = "URL", defaultValue = "${env:SYSLENS_STORAGE_URL:-}",
        description = "The remote store's write URL, e.g. http://vm:8428/api/v1/write "
            + "(an Authorization header for it from SYSLENS_STORAGE_AUTHORIZATION). Default: $SYSLENS_STORAGE_URL.")
    String storageUrl;

    @Option(names = "--storage-read-url", paramLabel = "URL", defaultValue = "${env:SYSLENS_STORAGE_READ_URL:-}",
        description = "Base of the remote store's Prometheus query API (before /api/v1/...); default: the "
            + "write URL without /api/v1/write, e.g. http://vm:8428.")
    String storageReadUrl;

    @Option(names = "--storage-buffer", paramLabel = "SIZE", defaultValue = "1GiB",
        description = "Local disk buffer (under DATA/remote-buffer) for writes while the remote store is down; "
            + "full, writes are refused and senders retry. Default: ${DEFAULT-VALUE}.")
    String storageBuffer;

    @Option(names = "--ingest-bus", paramLabel = "KIND", defaultValue = "${env:SYSLENS_INGEST_BUS:-direct}",
        description = "direct (ingest writes to the store itself) or kafka (ingest publishes to a Kafka topic and"
            + " acknowledges once Kafka holds the batch; instances with the writer role write it to the store;"
            + " docs/operations.md, \"Kafka ingest bus\"). Default: $SYSLENS_INGEST_BUS, else direct.")
    String ingestBus;

    @Option(names = "--kafka-bootstrap-servers", paramLabel = "HOST:PORT,...",
        defaultValue = "${env:SYSLENS_KAFKA_BOOTSTRAP_SERVERS:-}",
        description = "Kafka brokers for --ingest-bus kafka. Default: $SYSLENS_KAFKA_BOOTSTRAP_SERVERS.")
    String kafkaBootstrapServers;

    @Option(names = "--kafka-topic", paramLabel = "NAME", defaultValue = "${env:SYSLENS_KAFKA_TOPIC:-syslens-samples}",
        description = "The samples topic (created if missing). Default: ${DEFAULT-VALUE}.")
    String kafkaTopic;

    @Option(names = "--kafka-partitions", paramLabel = "N", defaultValue = "${env:SYSLENS_KAFKA_PARTITIONS:-12}",
        description = "Partitions when this instance creates the topic (an existing topic keeps its own; never change"
            + " it on a running installation: series would move partition). Default: ${DEFAULT-VALUE}.")
    int kafkaPartitions;

    @Option(names = "--kafka-group", paramLabel = "ID", defaultValue = "${env:SYSLENS_KAFKA_GROUP:-syslens-writers}",
        description = "The writers' consumer group. Default: ${DEFAULT-VALUE}.")
    String kafkaGroup;

    @Option(names = "--kafka-publish-timeout", paramLabel = "DURATION", defaultValue = "10s",
        description = "How long a batch may wait for Kafka before the source is refused (it resends)."
            + " Default: ${DEFAULT-VALUE}.")
    String kafkaPublishTimeout;

    @Option(names = "--kafka-buffer", paramLabel = "SIZE", defaultValue = "32MiB",
        description = "Memory for batches waiting for Kafka's acknowledgement; full, batches wait up to the publish"
            + " timeout, then are refused. Default: ${DEFAULT-VALUE}.")
    String kafkaBuffer;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
        description = "Extra Kafka client property (repeatable), e.g. security.protocol=SSL; values are never logged.")
    List<String> kafkaProperties = new ArrayList<>();

    syslens.kafka.KafkaBusSettings ingestBusSettings() {
      String kind = ingestBus.strip();
      if (kind.equals("direct")) {
        return null;
      }
      if (!kind.equals("kafka")) {
        throw new IllegalArgumentException("--ingest-bus: \"" + (kind.length() > 32 ? kind.substring(0, 29) + "..." : kind)
            + "\" (expected: direct or kafka)");
      }
      if (kafkaBootstrapServers.isBlank()) {
        throw new IllegalArgumentException("--ingest-bus kafka: no --kafka-bootstrap-servers (expected: host:port[,...])");
      }
      java.util.Map<String, String> props = new java.util.LinkedHashMap<>();
      for (String p : kafkaProperties) {
        int eq = p.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--kafka-property: \"" + (eq < 0 ? p.substring(0, Math.min(p.length(), 32)) : "")
              + "\" (expected: KEY=VALUE)");
        }
        props.put(p.substring(0, eq).strip(), p.substring(eq + 1));
      }
      return syslens.kafka.KafkaBusSettings.of(kafkaBootstrapServers.strip()).withTopic(kafkaTopic.strip())
          .withPartitions(kafkaPartitions).withGroup(kafkaGroup.strip())
          .withPublishTimeout(parseDuration("--kafka-publish-timeout", kafkaPublishTimeout))
          .withBufferBytes(StorageSettings.parseBytes("--kafka-buffer", kafkaBuffer)).withClientProperties(props);
    }

    StorageSettings storageSettings() {
      StorageSettings.Kind kind = StorageSettings.Kind.of(storage.strip());
      if (kind == StorageSettings.Kind.EMBEDDED) {
        return StorageSettings.embedded();
      }
      return new StorageSettings(kind, url("--storage-url", storageUrl), storageReadUrl.isBlank() ? null
          : url("--storage-read-url", storageReadUrl), StorageSettings.parseBytes("--storage-buffer", storageBuffer),
          System.getenv("SYSLENS_STORAGE_AUTHORIZATION"));
    }

    private static java.net.URI url(String option, String v) {
      if (v == null || v.isBlank()) {
        return null;
      }
      try {
        java.net.URI u = new java.net.URI(v.strip());
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
          throw new java.net.URISyntaxException(v, "not http(s)://HOST");
        }
        return u;
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(option + ": " + v + " (expected: http:// or https://HOST[:PORT]/PATH)");
      }
    }

    @Option(names = "--rate-limit-user", paramLabel = "N", defaultValue = "1200",
        description = "Requests per minute one user may make (0 = unlimited). Default: ${DEFAULT-VALUE}.")
    int rateLimitUser;

    @Option(names = "--rate-limit-apikey", paramLabel = "N", defaultValue = "6000",
        description = "Requests per minute one API key may make (0 = unlimited). Default: ${DEFAULT-VALUE}.")
    int rateLimitApiKey;

    @Option(names = "--rate-limit-source", paramLabel = "N", defaultValue = "6000",
        description = "Requests per minute from one source address, IPv6 by /64 (0 = unlimited). Default: ${DEFAULT-VALUE}.")
    int rateLimitSource;

    @Option(names = "--rate-limit-login", paramLabel = "N", defaultValue = "20",
        description = "Login and refresh attempts per minute from one source address. Default: ${DEFAULT-VALUE}.")
    int rateLimitLogin;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN",
        description = "Origin allowed to call the API from a browser, e.g. https://grafana.example.com (repeatable). "
            + "Default: none (CORS closed).")
    List<String> corsOrigins = new ArrayList<>();

    @Option(names = "--oidc-issuer", paramLabel = "URL", defaultValue = "${env:SYSLENS_OIDC_ISSUER:-}",
        description = "OpenID Connect provider for single sign-on (https://, or http:// on loopback); empty: "
            + "single sign-on off (default). Client secret from SYSLENS_OIDC_CLIENT_SECRET.")
    String oidcIssuer;

    @Option(names = "--oidc-client-id", paramLabel = "ID", defaultValue = "${env:SYSLENS_OIDC_CLIENT_ID:-}",
        description = "Client id registered at the provider.")
    String oidcClientId;

    @Option(names = "--oidc-redirect-base", paramLabel = "URL",
        description = "Public URL of SysLens; the provider redirects to URL/api/v1/auth/oidc/callback.")
    String oidcRedirectBase;

    @Option(names = "--oidc-groups-claim", paramLabel = "CLAIM", defaultValue = "groups",
        description = "ID token claim with the user's groups. Default: ${DEFAULT-VALUE}.")
    String oidcGroupsClaim;

    @Option(names = "--oidc-group-role", paramLabel = "GROUP=ROLE,...",
        description = "Group to SysLens role map, e.g. ops=operator,sre=admin (first mapped group wins).")
    String oidcGroupRoles;

    @Option(names = "--oidc-default-role", paramLabel = "ROLE",
        description = "Role of users in no mapped group. Default: none (they are refused).")
    String oidcDefaultRole;

    syslens.security.OidcSettings oidc() {
      if (oidcIssuer == null || oidcIssuer.isBlank()) {
        return null;
      }
      String secret = System.getenv("SYSLENS_OIDC_CLIENT_SECRET");
      if (oidcClientId == null || oidcClientId.isBlank() || secret == null || oidcRedirectBase == null) {
        throw new IllegalArgumentException("--oidc-issuer: needs --oidc-client-id, --oidc-redirect-base and "
            + "SYSLENS_OIDC_CLIENT_SECRET (expected: all set, or none)");
      }
      return new syslens.security.OidcSettings(java.net.URI.create(oidcIssuer), oidcClientId, secret,
          java.net.URI.create(oidcRedirectBase), oidcGroupsClaim,
          syslens.security.OidcSettings.parseGroupRoles(oidcGroupRoles), oidcDefaultRole);
    }

    ServerConfig.Builder config(String bind) {
      int p = port != null ? port : firstFreePort(bind, 8080, 8099);
      return ServerConfig.builder(data.toAbsolutePath().normalize())
          .bindAddress(bind)
          .port(p)
          .metadata(metadataUrl, System.getenv("SYSLENS_METADATA_USER"), System.getenv("SYSLENS_METADATA_PASSWORD"))
          .collectInterval(parseDuration("--collect-interval", collectInterval))
          .guestInterval(parseDuration("--guest-interval", guestInterval))
          .vsphereInstances(new syslens.vsphere.perf.PerfInstances(
              syslens.vsphere.perf.PerfInstances.parse("--vsphere-vm-instances", vsphereVmInstances),
              syslens.vsphere.perf.PerfInstances.parse("--vsphere-host-instances", vsphereHostInstances)))
          .maxSeriesPerNode(maxSeriesPerNode)
          .allowShellCommands(allowShellCommands)
          .nodeExpiry(parseExpiry(nodeExpiry))
          .queryLimits(queryLimits())
          .rateLimits(new syslens.server.auth.RateLimits(rateLimitUser, rateLimitApiKey, rateLimitSource, rateLimitLogin))
          .corsOrigins(corsOrigins)
          .storage(storageSettings())
          .ingestBus(ingestBusSettings())
          .oidc(oidc())
          .adminPassword(System.getenv("SYSLENS_ADMIN_PASSWORD"))
          .masterKey(System.getenv("SYSLENS_MASTER_KEY"))
          .enrollmentToken(System.getenv("SYSLENS_ENROLLMENT_TOKEN"));
    }
  }

  @Command(name = "server", mixinStandardHelpOptions = true,
      description = "Run the SysLens server (all roles; embedded storage unless --storage says otherwise).")
  static final class ServerCommand extends Common implements Callable<Integer> {
    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
        description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--roles", paramLabel = "ROLE,...",
        defaultValue = "${env:SYSLENS_ROLES:-ingest,api,alerting,collector,writer}",
        description = "What this instance does: ingest (agent stream, remote-write, import), api (REST, live feed,"
            + " dashboard), alerting (rule evaluation, notifications), collector (vCenters, guests), writer (with"
            + " --ingest-bus kafka: consumes the topic, writes to the store). Without api"
            + " only /healthz, /readyz and /metrics are served. Several instances share a PostgreSQL metadata"
            + " database (docs/operations.md, \"Several instances\"). Default: ${DEFAULT-VALUE}.")
    String roles;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain (default: a self-managed CA under DATA/tls).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key for --tls-cert.")
    Path tlsKey;

    @Option(names = "--tls-san", paramLabel = "NAME",
        description = "Extra DNS name or IP address for the self-managed certificate (repeatable): what agents dial.")
    List<String> tlsSans = new ArrayList<>();

    @Option(names = "--shared-enrollment-token", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Whether the installation's shared token (DATA/secrets/enrollment-token) still enrolls new"
            + " nodes; --no-shared-enrollment-token leaves only tokens made with POST /api/v1/enrollment-tokens."
            + " Default: ${DEFAULT-VALUE}.")
    boolean sharedEnrollmentToken;

    @Option(names = "--require-agent-certificates",
        description = "Every node must connect with its client certificate (mutual TLS): no per-node secrets,"
            + " no enrolment without a certificate request. Default: off.")
    boolean requireAgentCertificates;

    @Option(names = "--agent-cert-validity", paramLabel = "DURATION", defaultValue = "2160h",
        description = "Lifetime of the client certificates issued to agents (renewed when a third is left)."
            + " Default: ${DEFAULT-VALUE} (90 days).")
    String agentCertValidity;

    @Override
    public Integer call() throws Exception {
      ServerConfig.AgentAuth agentAuth = new ServerConfig.AgentAuth(sharedEnrollmentToken, requireAgentCertificates,
          parseDuration("--agent-cert-validity", agentCertValidity));
      SysLensServer s = SysLensServer.start(config(bind).tls(tlsCert, tlsKey).tlsSans(tlsSans).agentAuth(agentAuth)
          .roles(Role.parse(roles)).build());
      printAccess(s, bind);
      awaitShutdown(s, null);
      return 0;
    }
  }

  @Command(name = "demo", mixinStandardHelpOptions = true,
      description = "Start an all-in-one server on 127.0.0.1 plus a local agent watching this machine.")
  static final class DemoCommand extends Common implements Callable<Integer> {
    @Option(names = "--agent-jar", paramLabel = "FILE",
        description = "The agent jar to run (default: agent/target/syslens-agent.jar next to this build).")
    Path agentJar;

    @Override
    public Integer call() throws Exception {
      Path jar = agentJar != null ? agentJar : defaultAgentJar();
      if (jar == null || !Files.isRegularFile(jar)) {
        throw new IllegalArgumentException("agent jar: " + jar + " not found (expected: run ./syslens demo, which builds it, or pass --agent-jar)");
      }
      SysLensServer s = SysLensServer.start(config("127.0.0.1").build());
      printAccess(s, "127.0.0.1");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      // The launcher passes the agent's JVM flags; run directly, use small defaults.
      cmd.addAll(List.of(System.getProperty("syslens.agent.jvm",
          "-XX:+UseSerialGC -Xmx48m -XX:TieredStopAtLevel=1").trim().split("\\s+")));
      cmd.addAll(List.of(
          "-jar", jar.toString(),
          "--server", "localhost:" + s.port(),
          "--ca-file", s.tls().caCertFile().toString(),
          "--token-file", s.enrollmentTokenFile().toString(),
          // The local agent's node credential lives in the (0700) data directory.
          "--state-dir", data.toAbsolutePath().resolve("demo-agent").toString()));
      Process agent = new ProcessBuilder(cmd).inheritIO().start();
      System.out.println("Local agent started (pid " + agent.pid() + "); its first samples appear within one interval.");
      awaitShutdown(s, agent);
      return 0;
    }

    private static Path defaultAgentJar() {
      String prop = System.getProperty("syslens.agent.jar");
      if (prop != null) {
        return Path.of(prop);
      }
      try {
        Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // server/target/syslens-server.jar -> agent/target/syslens-agent.jar
        return self.getParent().getParent().getParent().resolve("agent/target/syslens-agent.jar");
      } catch (Exception e) {
        return null;
      }
    }
  }

  static void printAccess(SysLensServer s, String bind) {
    String host = bind.equals("0.0.0.0") ? "localhost" : bind;
    System.out.println();
    System.out.println("  SysLens is running.");
    System.out.println("  Dashboard:  http://" + host + ":" + s.port() + "/   (from this machine; https:// from others)");
    System.out.println("  Log in as:  admin");
    if (s.generatedAdminPassword() != null) {
      System.out.println("  Password:   " + s.generatedAdminPassword() + "   (generated now, shown once;"
          + " also in " + s.enrollmentTokenFile().resolveSibling("initial-admin-password") + ")");
    } else {
      Path f = s.enrollmentTokenFile().resolveSibling("initial-admin-password");
      System.out.println("  Password:   " + (Files.exists(f) ? "see " + f : "the one you set with SYSLENS_ADMIN_PASSWORD"));
    }
    if (s.tls().caFingerprint() != null) {
      System.out.println("  Agents:     trust " + s.tls().caCertFile() + " (SHA-256 " + s.tls().caFingerprint() + ")");
    }
    System.out.println("  Enrollment token: in " + s.enrollmentTokenFile());
    System.out.println("  Stop with Ctrl-C.");
    System.out.println();
  }

  private static void awaitShutdown(SysLensServer s, Process agent) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (agent != null) {
        agent.destroy();
      }
      s.close();
      done.countDown();
    }, "syslens-shutdown"));
    if (agent != null) {
      agent.onExit().thenAccept(p -> {
        if (p.exitValue() != 0 && p.exitValue() != 143) {
          System.err.println("syslens: the local agent exited with status " + p.exitValue() + "; see its messages above");
        }
      });
    }
    done.await();
  }

  static int firstFreePort(String bind, int from, int to) {
    for (int p = from; p <= to; p++) {
      try (ServerSocket ss = new ServerSocket()) {
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getByName(bind), p));
        return p;
      } catch (IOException e) {
        // taken; try the next
      }
    }
    throw new IllegalArgumentException("ports " + from + "-" + to + " are all in use (expected: a free one; pass --port)");
  }

  /** --node-expiry: a number of days ("30d") or any duration parseDuration takes. */
  static Duration parseExpiry(String v) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,5})d").matcher(v);
    return m.matches() ? Duration.ofDays(Long.parseLong(m.group(1))) : parseDuration("--node-expiry", v);
  }

  static Duration parseDuration(String option, String v) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException(option + ": " + v + " (expected: a duration like 500ms, 10s, 1m)");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
    if (d.toMillis() < 100) {
      throw new IllegalArgumentException(option + ": " + v + " (expected: >= 100ms)");
    }
    return d;
  }
}
