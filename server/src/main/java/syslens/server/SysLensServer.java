package syslens.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.cors.CorsService;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.websocket.WebSocketService;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.alerting.AlertSink;
import syslens.alerting.notify.Notifier;
import syslens.alerting.notify.NotifyApi;
import syslens.query.Engine;
import syslens.server.api.AlertingApi;
import syslens.server.api.ApiErrors;
import syslens.server.api.MetadataApi;
import syslens.server.api.FleetApi;
import syslens.server.api.NodesApi;
import syslens.server.api.OneWrite;
import syslens.server.control.Commands;
import syslens.server.control.ControlApi;
import syslens.server.control.NodeConfigs;
import syslens.server.dashboards.DashboardsApi;
import syslens.server.api.InlineQueries;
import syslens.server.api.QueryApi;
import syslens.server.api.StatusApi;
import syslens.server.api.ApiErrorHandler;
import syslens.server.cluster.ClusterBus;
import syslens.server.cluster.ClusterWork;
import syslens.server.cluster.Membership;
import syslens.server.cluster.PostgresBus;
import syslens.query.parser.ExprFormat;
import syslens.server.api.QueryExecutor;
import syslens.server.api.QueryLimits;
import syslens.security.FileModes;
import syslens.security.Passwords;
import syslens.security.Security;
import syslens.server.auth.AccessApi;
import syslens.server.auth.AgentIdentityApi;
import syslens.server.auth.AuthApi;
import syslens.server.auth.OidcApi;
import syslens.server.api.GuestCredentialsApi;
import syslens.server.api.VcentersApi;
import syslens.server.auth.AuthDecorator;
import syslens.server.auth.RefusalAudit;
import syslens.server.auth.RequestScope;
import syslens.server.auth.SourceRateLimit;
import syslens.server.auth.UsersApi;
import syslens.ingest.IngestPipeline;
import syslens.ingest.Sequences;
import syslens.server.ingest.AgentIngestService;
import syslens.server.ingest.AgentLiveFeed;
import syslens.server.ingest.NodeRegistry;
import syslens.server.ingest.PrometheusWriteApi;
import syslens.server.meta.SequenceStore;
import syslens.server.live.LiveHub;
import syslens.server.live.NodeSummaries;
import syslens.server.meta.MetaStore;
import syslens.server.meta.NodeStore;
import syslens.server.meta.GuestCredentialStore;
import syslens.server.meta.VCenterStore;
import syslens.server.tls.AgentCa;
import syslens.server.tls.TlsMaterial;
import syslens.server.admin.DataDirLock;
import syslens.server.admin.SnapshotApi;
import syslens.server.admin.Snapshots;
import syslens.storage.Storage;
import syslens.tsdb.Tsdb;
import syslens.vsphere.VsphereApi;
import syslens.vsphere.VsphereService;
import syslens.vsphere.guest.GuestApi;
import syslens.vsphere.guest.GuestService;
import syslens.vsphere.guest.GuestVm;

/**
 * The composition root: the only class that knows every module. Builds storage, metadata, auth,
 * ingest, the query engine and the HTTP/gRPC/WebSocket server on one port, and shuts them down
 * in reverse order.
 */
public final class SysLensServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SysLensServer.class);
  static final String LIVE_PATH = "/api/v1/live";
  /** The longest request line (URL) accepted: 64 KiB, as the form bodies of the query API. */
  static final int MAX_URL_BYTES = 64 * 1024;
  /** The server's version, as {@code syslens --version} prints it. */
  static final String VERSION = "0.1.0";
  static final int MAX_AGENT_MESSAGE_BYTES = 4 * 1024 * 1024;
  /** CPU a query shape's last evaluation may have cost for the next to run on the event loop. */
  static final Duration INLINE_QUERY_BUDGET = Duration.ofMillis(2);
  /** Wall time an inline evaluation may take before it is handed to the query threads instead. */
  static final Duration INLINE_QUERY_DEADLINE = Duration.ofMillis(10);

  private final ServerConfig config;
  /** The embedded TSDB, or null when time series live in a remote store. */
  private final Tsdb tsdb;
  private final Storage storage;
  private final MetaStore meta;
  private final TlsMaterial tls;
  private final Server server;
  private final ScheduledExecutorService sweeper;
  private final java.util.concurrent.ExecutorService streamExecutor;
  private final String enrollmentToken;
  private final String generatedAdminPassword;
  private final Path enrollmentTokenFile;
  private final JvmGcMetrics jvmGc;
  private final DataDirLock dataLock;
  private final QueryExecutor queryExecutor;
  private final VsphereService vsphere;
  private final GuestService guests;
  private final Sequences sequences;
  private final NodeRegistry registry;
  private final Notifier notifier;
  /** Messages to the other instances sharing the metadata database (local when there are none). */
  private final ClusterBus bus;
  private final Readiness readiness;
  /** Exclusive work shared with the other instances (rule groups, notification, vCenters); null on H2. */
  private final ClusterWork clusterWork;
  private AgentIngestService agentStreams;
  private AlertingWiring alerting;
  private ReportsWiring reports;

  private SysLensServer(ServerConfig config, DataDirLock dataLock) throws IOException {
    this.config = config;
    Path data = config.dataDir().toAbsolutePath();
    this.dataLock = dataLock;
    FileModes.createPrivateDir(data);
    Secrets secrets = new Secrets(data.resolve("secrets"));
    // Independent start-up steps run side by side: the engine's open (WAL replay, blocks), TLS
    // (keys, certificates, the JDK's security providers) and the class set-up of Armeria's server
    // and gRPC JSON codecs (~0.3 s each) beside the metadata database and security on this thread.
    StartStep<Storage> opening = StartStep.begin("syslens-storage-open", () -> StorageWiring.open(config, data));
    StartStep<TlsMaterial> tlsStep = StartStep.begin("syslens-tls", () -> config.tlsCertFile() != null
        ? TlsMaterial.fromFiles(config.tlsCertFile(), config.tlsKeyFile(), null)
        : TlsMaterial.selfManaged(data.resolve("tls"), config.clock(), config.tlsSans()));
    StartStep.begin("syslens-armeria-init", Server::builder);
    StartStep.begin("syslens-grpc-init", GrpcService::builder);
    MetaStore m = null;
    try {
      m = config.metadataUrl() == null || config.metadataUrl().isEmpty() ? MetaStore.openH2(data.resolve("meta"))
          : MetaStore.openPostgres(config.metadataUrl(), config.metadataUser(), config.metadataPassword());
      this.tls = tlsStep.join();
    } catch (IOException | RuntimeException e) {
      if (m != null) {
        m.close();
      }
      opening.discard(Storage::close);
      throw e;
    }
    this.meta = m;
    this.bus = config.sharedMetadata() ? PostgresBus.create(config.metadataUrl(), config.metadataUser(),
        config.metadataPassword(), meta.dataSource(), config.clock()) : ClusterBus.local();
    this.clusterWork = config.sharedMetadata() ? ClusterWork.create(Membership.create(meta.dataSource(),
        bus.instanceId(), config.roles().stream().map(Role::label).toList(), config.bindAddress() + ":"
        + config.port()), bus) : null;
    Storage opened = null;
    try {
      if (config.enrollmentToken() != null) {
        secrets.put("enrollment-token", config.enrollmentToken());
      }
      this.enrollmentToken = secrets.getOrCreate("enrollment-token");
      this.enrollmentTokenFile = secrets.path("enrollment-token");
      byte[] jwtKey = java.util.Base64.getUrlDecoder().decode(secrets.getOrCreate("jwt-key"));
      String token = enrollmentToken;
      // The CA that issues agents' client certificates (self-managed TLS only; docs/adr/0006).
      AgentCa agentCa = tls.agentCa(config.clock(), config.agentAuth().certificateValidity());
      Security security = Security.builder(meta.dataSource()).clock(config.clock()).jwtKey(jwtKey)
          .enrollmentToken(() -> token).scopeChecker(RequestScope::problem).certificateIssuer(agentCa)
          .sharedEnrollmentToken(config.agentAuth().sharedEnrollmentToken())
          .requireAgentCertificates(config.agentAuth().requireCertificates()).oidc(config.oidc()).build();
      // Resource scopes: every read path asks this for the request principal's view.
      RequestScope scopes = new RequestScope();
      this.generatedAdminPassword = bootstrapAdmin(security, secrets);

      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      // Secrets at rest (vCenter, guest and notification credentials) are sealed by the master key.
      MasterKeyCipher masterKey = config.masterKey() != null
          ? MasterKeyCipher.of(config.masterKey(), "SYSLENS_MASTER_KEY") : MasterKeyCipher.open(secrets);
      // Notification state migrates its tables while the engine may still be opening.
      this.notifier = Notifier.builder(meta.dataSource()).clock(config.clock()).secretCipher(masterKey)
          .userLanguage(u -> security.users().get(u).map(syslens.security.User::language))
          // Several instances: one notifies at a time (ClusterWork), each delivery's log entry committed at once.
          .standby(clusterWork != null).writeLinger(clusterWork != null ? Duration.ZERO : Duration.ofSeconds(1))
          .build();
      Storage storage = this.storage = opened = opening.join();
      this.tsdb = StorageWiring.store(storage) instanceof Tsdb t ? t : null;
      NodeRegistry registry = this.registry = new NodeRegistry(new NodeStore(meta), config.clock(),
          config.offlineAfter());
      NodeSummaries summaries = new NodeSummaries();
      LiveHub hub = new LiveHub(registry, summaries, scopes);
      // Every source writes through the one ingest pipeline (agent stream, remote-write, import, vSphere).
      IngestPipeline pipeline = IngestPipeline.builder(storage).clock(config.clock()).meters(meters)
          .agentNodes(registry::isAgent).listener(new AgentLiveFeed(registry, summaries, clusterWork == null
              ? hub::publishSample : clusterWork.liveFeed(hub::publishSample, hub::clientCount))).build();
      this.sequences = Sequences.create(new SequenceStore(meta), meters);
      this.streamExecutor = java.util.concurrent.Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("agent-stream-", 0).factory());
      AgentIngestService ingest = this.agentStreams = new AgentIngestService(pipeline, sequences, registry, security.nodes(),
          config.collectInterval(), meters, streamExecutor);
      QueryLimits limits = config.queryLimits();
      // One engine per timeout: the server's, or a request's shorter `timeout` parameter.
      java.util.function.Function<Duration, Engine> engines = timeout -> Engine.builder(storage)
          .clock(config.clock()).timeout(timeout).maxSamples(limits.maxSamples()).maxSeries(limits.maxSeries())
          .build();
      Engine engine = engines.apply(limits.timeout());
      this.queryExecutor = QueryExecutor.create(limits);
      // Small queries (a shape that last cost <= 2 ms of CPU) are evaluated on the event loop, which
      // saves two thread hand-offs per dashboard panel; only over the embedded TSDB, never a remote store.
      InlineQueries inline = storage instanceof Tsdb
          ? InlineQueries.create(INLINE_QUERY_BUDGET, INLINE_QUERY_DEADLINE) : InlineQueries.off();
      QueryApi query = new QueryApi(engine, engines, limits.timeout(), queryExecutor, config.clock(),
          (ctx, e) -> e.over(scopes.queryable(ctx, storage)), inline);
      new JvmMemoryMetrics().bindTo(meters);
      this.jvmGc = new JvmGcMetrics();
      jvmGc.bindTo(meters);
      new JvmThreadMetrics().bindTo(meters);
      new ProcessorMetrics().bindTo(meters);
      StorageWiring.bindMetrics(storage, meters);
      meters.gauge("syslens.query.queued", queryExecutor, QueryExecutor::queued);
      meters.gauge("syslens.query.running", queryExecutor, QueryExecutor::running);
      meters.gauge("syslens.live.clients", hub, LiveHub::clientCount);

      // Refused credentials, bodies over their limit and rate-limited requests are audited, bounded.
      RefusalAudit refusals = new RefusalAudit(security.audit(), config.clock());
      AuthDecorator auth = new AuthDecorator(security, LIVE_PATH, config.rateLimits(), refusals);
      ServerBuilder sb = Server.builder()
          .port(new InetSocketAddress(config.bindAddress(), config.port()), SessionProtocol.HTTP, SessionProtocol.HTTPS)
          .tls(tls.keyPair())
          .meterRegistry(meters)
          .maxRequestLength(1024 * 1024)
          // GET URLs as long as the largest accepted form (Grafana sends long match[] lists), so
          // an over-long query is answered by the API's limit check in Prometheus' envelope.
          .http1MaxInitialLineLength(MAX_URL_BYTES)
          .http2MaxHeaderListSize(MAX_URL_BYTES + 16 * 1024)
          .errorHandler(new ApiErrorHandler())
          .requestTimeout(Duration.ofSeconds(60))
          .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(5))
          // At stop, one GOAWAY and close: no 1 s drain per connection (agents reconnect and resend anyway).
          .connectionDrainDuration(Duration.ZERO)
          // PINGs find agent connections that died without closing (power loss, a cut route).
          .pingInterval(Duration.ofSeconds(30))
          // Headers and body of an answer in one write, however the answer was completed (OneWrite).
          .childChannelPipelineCustomizer(OneWrite::consolidateFlushes)
          .decorator(new PlainHttpLoopbackOnly())
          .decorator(new syslens.server.api.NulRefusal())
          .decorator(new SourceRateLimit(config.rateLimits()))
          .decorator(refusals)
          .decorator(new RoleGate(config.roles()))
          // Last added runs first: the headers are set before anything can answer.
          .decorator(new SecurityHeaders());
      if (syslens.server.api.RequestPhases.enabled()) {
        sb.decorator(new syslens.server.api.RequestPhases()); // debug: runs first, sees the whole request
      }
      if (!config.corsOrigins().isEmpty()) {
        sb.decorator(CorsService.builder(config.corsOrigins())
            .allowRequestMethods(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)
            .allowRequestHeaders(HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.CONTENT_TYPE)
            .maxAge(600).newDecorator());
      }
      // Agents present their client certificate; browsers and API clients present none, so TLS
      // asks but does not require one. The agent stream checks it (AgentIngestService).
      java.security.cert.X509Certificate clientCa = agentCa != null ? tls.caCertificate() : null;
      sb.tlsCustomizer(b -> {
        // Netty hands the key to OpenSSL through a throw-away in-memory KeyStore. The default
        // type (PKCS12) encrypts the key with 10,000 rounds of PBKDF2 and decrypts it again: 0.3 s
        // of a restart's CPU for nothing, as the store never leaves memory.
        b.keyStoreType("JKS");
        if (clientCa != null) {
          b.clientAuth(io.netty.handler.ssl.ClientAuth.OPTIONAL).trustManager(clientCa);
        }
      });
      GrpcService grpc = GrpcService.builder()
          .addService(ingest.wireService())
          .maxRequestMessageLength(MAX_AGENT_MESSAGE_BYTES)
          // Messages arrive on the event loop; AgentIngestService hands them to its stream executor.
          .useBlockingTaskExecutor(false)
          .build();
      sb.service(grpc, delegate -> (ctx, req) -> {
        ctx.clearRequestTimeout(); // the agent stream lives for as long as the agent does
        ctx.setMaxRequestLength(0);
        return delegate.serve(ctx, req);
      });
      HttpService health = (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ok\n");
      sb.service("/healthz", health);
      // Ready only while the metadata database answers, storage can take and promise writes (disk
      // full, a failed fsync, a remote store's local buffer full: 503) and the cluster bus listens.
      // A remote store that is down while its buffer has room leaves the server ready (writes are
      // kept and sent later) and is named "degraded" in the JSON body.
      Readiness ready = this.readiness = new Readiness(meta.dataSource(), storage, bus);
      ready.checkMetadata();
      ready.checkKafka();
      sb.service("/readyz", (ctx, req) -> ready.response());
      sb.service("/api/v1/admin/snapshot", new SnapshotApi(
          new Snapshots(data, tsdb, config.metadataUrl() == null || config.metadataUrl().isEmpty()
              ? meta.dataSource() : null, config.clock())).decorate(auth));
      AuthApi authApi = new AuthApi(security, config.rateLimits().loginPerMinute());
      sb.service("/api/v1/auth/login", authApi.login());
      sb.service("/api/v1/auth/refresh", authApi.refresh());
      sb.service("/api/v1/auth/logout", authApi.logout().decorate(auth));
      sb.service("/api/v1/auth/logout-all", authApi.logoutAll().decorate(auth));
      sb.service("/api/v1/auth/password", authApi.password().decorate(auth));
      sb.service("/api/v1/auth/totp/begin", authApi.totp().decorate(auth));
      sb.service("/api/v1/auth/totp/confirm", authApi.totp().decorate(auth));
      sb.service("/api/v1/me", authApi.me().decorate(auth));
      OidcApi oidcApi = new OidcApi(security, config.rateLimits().loginPerMinute());
      sb.service(OidcApi.BASE, oidcApi.status());
      sb.service(OidcApi.BASE + "/start", oidcApi.start());
      sb.service(OidcApi.BASE + "/callback", oidcApi.callback());
      sb.service(OidcApi.BASE + "/exchange", oidcApi.exchange());
      UsersApi usersApi = new UsersApi(security);
      sb.service("/api/v1/users", usersApi.users().decorate(auth));
      sb.service("/api/v1/users/{name}", usersApi.user().decorate(auth));
      sb.service("/api/v1/users/{name}/{action}", usersApi.user().decorate(auth));
      sb.service("/api/v1/roles", usersApi.roles().decorate(auth));
      sb.service("/api/v1/roles/{name}", usersApi.role().decorate(auth));
      sb.service("/api/v1/roles/{name}/{action}", usersApi.role().decorate(auth));
      AccessApi accessApi = new AccessApi(security);
      sb.service("/api/v1/apikeys", accessApi.apiKeys().decorate(auth));
      sb.service("/api/v1/apikeys/{id}", accessApi.apiKeys().decorate(auth));
      sb.service("/api/v1/audit", accessApi.audit().decorate(auth));
      sb.service("/api/v1/audit/verify", accessApi.audit().decorate(auth));
      sb.service("/api/v1/node-credentials", accessApi.nodeCredentials().decorate(auth));
      sb.service("/api/v1/node-credentials/{id}", accessApi.nodeCredentials().decorate(auth));
      sb.service("/api/v1/node-credentials/{id}/revoke", accessApi.nodeCredentials().decorate(auth));
      AgentIdentityApi agentIdentities = new AgentIdentityApi(security.nodes());
      sb.service("/api/v1/enrollment-tokens", agentIdentities.enrollmentTokens().decorate(auth));
      sb.service("/api/v1/enrollment-tokens/{id}", agentIdentities.enrollmentTokens().decorate(auth));
      sb.service("/api/v1/node-certificates", agentIdentities.certificates().decorate(auth));
      sb.service("/api/v1/node-certificates/{serial}/revoke", agentIdentities.certificates().decorate(auth));
      // Control plane: configuration per group and node, group membership, commands.
      NodeConfigs nodeConfigs = NodeConfigs.create(meta, config.clock(), config.collectInterval());
      var nodesApi = new NodesApi(registry, summaries, scopes, nodeConfigs::groupOf,
          id -> nodeConfigs.forget(id, "decommissioned")).decorate(auth);
      sb.service("/api/v1/nodes", OneWrite.of(nodesApi));
      sb.service("/api/v1/nodes/{id}", OneWrite.of(nodesApi));
      sb.service("/api/v1/fleet/overview", OneWrite.of(FleetApi.builder(registry, summaries, scopes)
          .groupOf(nodeConfigs::groupOf).clock(config.clock()).build().decorate(auth)));
      ingest.configSource(nodeConfigs::effective);
      nodeConfigs.onChange(ingest::pushConfig);
      // Configuration and commands reach a node whichever instance holds its stream.
      ClusterWiring cluster = new ClusterWiring(bus, ingest, nodeConfigs, config.clock());
      Commands commands = new Commands(cluster::send, nodeConfigs, security.audit(), config.allowShellCommands());
      cluster.commands(commands);
      var control = new ControlApi(nodeConfigs, commands, security.audit(),
          id -> registry.find(id).isPresent() || cluster.heldElsewhere(id))
          .decorate(auth);
      sb.serviceUnder("/api/v1/config/", control);
      sb.service("/api/v1/groups", control);
      sb.serviceUnder("/api/v1/groups/", control);
      sb.service("/api/v1/nodes/{id}/group", control);
      sb.service("/api/v1/commands", control);
      // Custom dashboards, kept per user in the metadata database.
      var dashboards = DashboardsApi.create(meta.dataSource(), security.audit(), config.clock()).decorate(auth);
      sb.service(DashboardsApi.BASE, dashboards);
      sb.service(DashboardsApi.BASE + "/{id}", dashboards);
      // The Prometheus API answers in one write (headers and body in one flush): OneWrite.
      sb.service("/api/v1/query", OneWrite.of(query.instant()).decorate(auth));
      sb.service("/api/v1/query_range", OneWrite.of(query.range()).decorate(auth));
      sb.service("/api/v1/format_query", OneWrite.of(query.formatQuery()).decorate(auth));
      sb.service("/api/v1/query_exemplars", OneWrite.of(query.exemplars()).decorate(auth));
      MetadataApi metadata = new MetadataApi(storage, scopes::queryable);
      sb.service("/api/v1/labels", OneWrite.of(metadata.labels()).decorate(auth));
      sb.service("/api/v1/label/{name}/values", OneWrite.of(metadata.labelValues()).decorate(auth));
      sb.service("/api/v1/series", OneWrite.of(metadata.series()).decorate(auth));
      PrometheusWriteApi writes = new PrometheusWriteApi(pipeline, config.ingestLimits(), config.clock());
      // The route's own request length: the server-wide 1 MiB would refuse larger bodies in the
      // protocol decoder, before the body-limit decorator could raise it.
      sb.route().path(PrometheusWriteApi.WRITE_PATH)
          .maxRequestLength(config.ingestLimits().maxCompressedBytes())
          .build(writes.remoteWrite().decorate(auth).decorate(writes.bodyLimit(PrometheusWriteApi.WRITE_PATH)));
      sb.route().path(PrometheusWriteApi.IMPORT_PATH)
          .maxRequestLength(config.ingestLimits().maxImportBytes())
          .build(writes.importText().decorate(auth).decorate(writes.bodyLimit(PrometheusWriteApi.IMPORT_PATH)));
      sb.service("/api/v1/metadata", OneWrite.of(metadata.metricMetadata()).decorate(auth));
      StatusApi status = new StatusApi(VERSION, config.clock(), Map.of(
          "query.timeout", ExprFormat.duration(limits.timeout().toMillis()),
          "query.max-samples", Long.toString(limits.maxSamples()),
          "query.max-concurrency", Integer.toString(limits.maxConcurrent()),
          "query.lookback-delta", "5m",
          "syslens.query.max-series", Integer.toString(limits.maxSeries()),
          "syslens.query.max-queued", Integer.toString(limits.maxQueued()),
          "syslens.query.queue-timeout", ExprFormat.duration(limits.queueTimeout().toMillis())));
      sb.service("/api/v1/status/buildinfo", OneWrite.of(status.buildInfo()).decorate(auth));
      sb.service("/api/v1/status/runtimeinfo", OneWrite.of(status.runtimeInfo()).decorate(auth));
      sb.service("/api/v1/status/flags", OneWrite.of(status.flags()).decorate(auth));
      // vSphere collector role: vCenters from the metadata DB, passwords sealed by the master key.
      VsphereService.Builder vsphereBuilder = VsphereService.builder(new VCenterStore(meta, config.clock()), masterKey,
          syslens.vsphere.IngestSink.create(pipeline), new VsphereWiring.Nodes(registry)).clock(config.clock())
          .owned(clusterWork == null ? id -> true : clusterWork::ownsVcenter)
          .instances(config.vsphereInstances());
      if (clusterWork != null) { // every instance shows each vCenter's status and inventory, left by its poller
        vsphereBuilder.statusBoard(clusterWork.membership().instanceId(),
            new VsphereWiring.Board(meta.dataSource(), config.clock()))
            .inventoryBoard(clusterWork.membership().instanceId(),
                new VsphereWiring.Inventories(meta.dataSource(), config.clock()));
      }
      this.vsphere = vsphereBuilder.build();
      if (clusterWork != null && config.has(Role.COLLECTOR)) {
        clusterWork.vsphere(vsphere);
      }
      VcentersApi vcenters = new VcentersApi(new VsphereApi(vsphere), security.audit(), scopes);
      sb.service(VcentersApi.PREFIX, vcenters.decorate(auth));
      sb.serviceUnder(VcentersApi.PREFIX + "/", vcenters.decorate(auth));
      // Guest collection (SSH, WinRM, scripts) of the inventory's VMs, secrets sealed by the same key.
      this.guests = GuestService.builder(new GuestCredentialStore(meta, config.clock()), vsphere.cipher(),
          syslens.vsphere.IngestSink.create(pipeline), () -> GuestVm.of(vsphere.inventories())).clock(config.clock())
          .interval(config.guestInterval()).build();
      GuestCredentialsApi guestApi = new GuestCredentialsApi(new GuestApi(guests), security.audit());
      sb.service(GuestCredentialsApi.PREFIX, guestApi.decorate(auth));
      sb.serviceUnder(GuestCredentialsApi.PREFIX + "/", guestApi.decorate(auth));
      // Alert notification: routing, silences, receivers; rules hand alerts to alertSink().
      AlertingApi notifyApi = new AlertingApi(new NotifyApi(notifier), security.audit(), scopes);
      this.alerting = new AlertingWiring(config, storage, meta, q -> Engine.builder(q)
          .clock(config.clock()).timeout(limits.timeout()).maxSamples(limits.maxSamples())
          .maxSeries(limits.maxSeries()).build(),
          clusterWork == null ? notifier : clusterWork.notifier(notifier, config.has(Role.ALERTING)),
          clusterWork == null ? null : clusterWork::ownsRuleGroup);
      if (clusterWork != null) {
        clusterWork.rules(alerting.manager, alerting.rules);
      }
      io.micrometer.core.instrument.FunctionCounter.builder("syslens.alerting.notifications.delivered", notifier,
          n -> n.stats().delivered()).register(meters);
      io.micrometer.core.instrument.FunctionCounter.builder("syslens.alerting.notifications.failed", notifier,
          n -> n.stats().failed()).register(meters);
      io.micrometer.core.instrument.FunctionCounter.builder("syslens.alerting.template.failures", notifier,
          n -> n.stats().templateFailures()).register(meters);
      for (String route : AlertingApi.ROUTES) {
        sb.service(route, notifyApi.decorate(auth));
      }
      sb.service(LIVE_PATH, WebSocketService.builder(hub).maxFramePayloadLength(64 * 1024)
          .allowedOrigin(origin -> true)
          .fallbackService((ctx, req) -> ApiErrors.error(HttpStatus.BAD_REQUEST, "bad_data", LIVE_PATH
              + ": not a WebSocket upgrade (expected: a WebSocket client sending Upgrade: websocket)"))
          .build().decorate(auth).decorate((delegate, ctx, req) -> {
            ctx.clearRequestTimeout();
            return delegate.serve(ctx, req);
          }));
      sb.service("/metrics", ((HttpService) (ctx, req) -> HttpResponse.of(HttpStatus.OK,
          MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), meters.scrape())).decorate(auth));
      this.alerting.routes(sb, security, auth, config.clock(), scopes);
      // Reports: computed over the requester's scoped view, stored under <data>/reports.
      this.reports = new ReportsWiring(data, config.clock(), q -> Engine.builder(q).clock(config.clock())
          .timeout(ReportsWiring.DEADLINE).maxSamples(limits.maxSamples()).maxSeries(limits.maxSeries()).build(),
          vsphere, alerting.manager.store(), meta, security, notifier, scopes, storage);
      reports.routes(sb, auth, scopes, storage);
      HttpService apiNotFound = (ctx, req) -> ApiErrors.error(HttpStatus.NOT_FOUND, "not_found",
          "no API endpoint at " + ctx.path() + " (expected: one of /api/v1/auth/login, /api/v1/nodes, /api/v1/fleet/overview, "
              + "/api/v1/query, /api/v1/query_range, /api/v1/labels, /api/v1/label/<name>/values, "
              + "/api/v1/series, /api/v1/metadata, /api/v1/query_exemplars, /api/v1/format_query, "
              + "/api/v1/status/buildinfo, /api/v1/status/runtimeinfo, /api/v1/status/flags, /api/v1/live, /api/v1/me, /api/v1/users, /api/v1/roles, /api/v1/apikeys, "
              + "/api/v1/audit, /api/v1/node-credentials, /api/v1/enrollment-tokens, /api/v1/node-certificates, /api/v1/vcenters, /api/v1/guest-credentials, /api/v1/write, /api/v1/import/prometheus, "
              + "/api/v1/silences, /api/v1/receivers, /api/v1/alerting/config, /api/v1/alerting/alerts, /api/v1/notifications, /api/v1/rules, /api/v1/alerts, "
              + "/api/v1/alert-rules, /api/v1/reports, /api/v1/report-schedules; see docs/api.md)");
      sb.serviceUnder("/api/", apiNotFound.decorate(auth));
      sb.serviceUnder("/", FileService.builder(SysLensServer.class.getClassLoader(), "syslens/dashboard")
          .cacheControl("no-cache").build());
      this.server = sb.build();
      this.sweeper = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("syslens-node-sweeper").daemon().factory());
      sweeper.scheduleAtFixedRate(registry::sweep, 1, 1, TimeUnit.SECONDS);
      sweeper.scheduleAtFixedRate(() -> {
        try {
          for (String gone : registry.expire(config.nodeExpiry(), cluster::heldElsewhere)) {
            nodeConfigs.forget(gone, "expiry");
            log.info("node {} removed from the registry: not heard from for {}", gone, config.nodeExpiry());
          }
        } catch (RuntimeException e) {
          log.warn("expiring nodes failed: {}", e.toString());
        }
      }, 60, 60, TimeUnit.SECONDS);
      sweeper.scheduleWithFixedDelay(this::flushNodeState, 1, 1, TimeUnit.SECONDS);
      sweeper.scheduleWithFixedDelay(ready::checkMetadata, 2, 2, TimeUnit.SECONDS);
      sweeper.scheduleWithFixedDelay(ready::checkKafka, 5, 5, TimeUnit.SECONDS);
      long announce = ClusterWiring.ANNOUNCE_EVERY.toMillis();
      sweeper.scheduleWithFixedDelay(cluster::announce, announce, announce, TimeUnit.MILLISECONDS);
      long every = config.collectInterval().toMillis();
      sweeper.scheduleWithFixedDelay(() -> writeAway(pipeline, registry, cluster), every, every, TimeUnit.MILLISECONDS);
      // Everything under the data directory is the server's alone: hashes, keys, WAL, databases.
      FileModes.restrictTree(data);
    } catch (IOException | RuntimeException e) {
      if (reports != null) {
        reports.close();
      }
      if (alerting != null) {
        alerting.close();
      }
      if (clusterWork != null) {
        clusterWork.close();
      }
      bus.close();
      meta.close(); // nothing else was opened yet that outlives this constructor (vsphere starts later)
      if (opened != null) {
        opened.close();
      } else {
        opening.discard(Storage::close);
      }
      throw e;
    }
  }

  /** Opens storage and metadata and starts serving; throws if the port cannot be bound. */
  public static SysLensServer start(ServerConfig config) throws IOException {
    requireNonNull(config, "config");
    DataDirLock lock = DataDirLock.acquire(config.dataDir().toAbsolutePath());
    SysLensServer s;
    try {
      s = new SysLensServer(config, lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    try {
      s.server.start().join();
      s.bus.start();
      if (config.has(Role.COLLECTOR)) {
        s.vsphere.start();
        s.guests.start();
      }
      if (config.has(Role.ALERTING)) {
        s.notifier.start();
        s.alerting.start();
      }
      if (s.clusterWork != null) {
        s.clusterWork.start();
      }
    } catch (RuntimeException e) {
      s.close();
      throw new IOException("cannot listen on " + config.bindAddress() + ":" + config.port()
          + ": " + rootMessage(e), e);
    }
    log.info("SysLens listening on {}:{} (HTTPS + gRPC; plain HTTP from loopback only), data in {}, roles {}, "
        + "cluster bus {}", config.bindAddress(), s.port(), config.dataDir().toAbsolutePath(), config.roles(),
        s.bus.clustered() ? "PostgreSQL LISTEN/NOTIFY" : "local (single instance)");
    return s;
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  /** Creates user admin on first start; returns the generated password, or null. */
  private String bootstrapAdmin(Security security, Secrets secrets) throws IOException {
    if (security.users().count() > 0) {
      return null;
    }
    String pw = config.adminPassword();
    String generated = null;
    if (pw == null || pw.isEmpty()) {
      pw = Passwords.random(20);
      generated = pw;
      secrets.put("initial-admin-password", pw);
    }
    security.users().bootstrapAdmin(pw);
    return generated;
  }

  public int port() {
    return server.activeLocalPort();
  }

  /** The admin password generated on this first start (null if none was generated now). */
  public String generatedAdminPassword() {
    return generatedAdminPassword;
  }

  public String enrollmentToken() {
    return enrollmentToken;
  }

  public Path enrollmentTokenFile() {
    return enrollmentTokenFile;
  }

  /** The agent stream service (tests drive it with a call whose agent has gone). */
  AgentIngestService agentStreams() {
    return agentStreams;
  }

  Server armeria() {
    return server;
  }

  public TlsMaterial tls() {
    return tls;
  }

  /** The embedded TSDB; throws when time series live in a remote store. */
  public Tsdb tsdb() {
    if (tsdb == null) {
      throw new IllegalStateException("storage is " + config.storage() + ", not the embedded TSDB");
    }
    return tsdb;
  }

  /** Where time series are written and read: the embedded TSDB or a remote store. */
  public Storage storage() {
    return storage;
  }

  VsphereService vsphere() {
    return vsphere;
  }

  /** {@code up} 0 for every agent node that is not connected, once per collection interval. */
  private static void writeAway(IngestPipeline pipeline, NodeRegistry registry, ClusterWiring cluster) {
    try {
      // A node whose stream another instance holds is not away, though it is not online here.
      pipeline.writeAway(registry.list().stream()
          .filter(n -> !n.online() && NodeStore.KIND_AGENT.equals(n.kind()) && !cluster.heldElsewhere(n.id()))
          .map(n -> new IngestPipeline.Away(new syslens.ingest.Identity(n.id(), n.hostname()), n.labels()))
          .toList());
    } catch (RuntimeException e) {
      log.warn("writing up of away nodes: {}", e.getMessage());
    }
  }

  /**
   * Saves the nodes' last acked batch numbers and the registry's changes (new nodes, last-seen
   * times), each kept pending on failure and retried next second.
   */
  private void flushNodeState() {
    try {
      sequences.flush();
    } catch (RuntimeException e) {
      log.warn("saving node sequence numbers: {}", e.getMessage());
    }
    try {
      registry.flush();
    } catch (RuntimeException e) {
      log.warn("saving the node registry: {}", e.getMessage());
    }
  }

  /** Where alert rules hand their alerts (notification routing, silences, receivers). */
  AlertSink alertSink() {
    return notifier;
  }

  /** Agents' calls end first (each resends what was not acked), the head's checkpoint last (StopSteps logs each step). */
  @Override
  public void close() {
    StopSteps stop = new StopSteps(log);
    stop.run("agent streams", agentStreams::endAllCalls); // new ones are ended as they come
    java.util.concurrent.CompletableFuture<Void> network = server.stop(); // stops accepting at once
    stop.run("background work", () -> {
      reports.close();
      guests.close();
      vsphere.close();
      alerting.close(); // rules stop handing over alerts before notification stops
      notifier.close();
      if (clusterWork != null) {
        clusterWork.close(); // after the work stopped here: the others may take it at once
      }
      sweeper.shutdownNow();
    });
    stop.run("network", () -> StopSteps.awaitClosed(server, network));
    stop.run("stream handlers", () -> {
      streamExecutor.shutdown();
      if (!streamExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("agent stream handlers still running 10 s after the server stopped");
      }
    });
    stop.run("node state", () -> { agentStreams.stopped(); flushNodeState(); });
    stop.run("metadata", () -> { bus.close(); queryExecutor.close(); jvmGc.close(); meta.close(); });
    stop.run("storage", storage::close);
    stop.run("network threads", network::join); // their 2 s quiet period ran beside the checkpoint
    stop.run("data directory lock", dataLock::close);
    stop.done();
  }
}
