package syslens.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.query.Engine;
import syslens.server.api.ApiErrors;
import syslens.server.api.MetadataApi;
import syslens.server.api.NodesApi;
import syslens.server.api.QueryApi;
import syslens.server.api.VcentersApi;
import syslens.server.auth.AuthDecorator;
import syslens.server.auth.LoginService;
import syslens.server.auth.Passwords;
import syslens.server.auth.TokenService;
import syslens.server.ingest.AgentIngestService;
import syslens.server.ingest.NodeRegistry;
import syslens.server.live.LiveHub;
import syslens.server.live.NodeSummaries;
import syslens.server.meta.MetaStore;
import syslens.server.meta.NodeStore;
import syslens.server.meta.UserStore;
import syslens.server.meta.VCenterStore;
import syslens.server.tls.TlsMaterial;
import syslens.tsdb.Tsdb;
import syslens.vsphere.VsphereApi;
import syslens.vsphere.VsphereService;

/**
 * The composition root: the only class that knows every module. Builds storage, metadata, auth,
 * ingest, the query engine and the HTTP/gRPC/WebSocket server on one port, and shuts them down
 * in reverse order.
 */
public final class SysLensServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SysLensServer.class);
  static final String LIVE_PATH = "/api/v1/live";
  static final int MAX_AGENT_MESSAGE_BYTES = 4 * 1024 * 1024;

  private final ServerConfig config;
  private final Tsdb tsdb;
  private final MetaStore meta;
  private final TlsMaterial tls;
  private final Server server;
  private final ScheduledExecutorService sweeper;
  private final String enrollmentToken;
  private final String generatedAdminPassword;
  private final Path enrollmentTokenFile;
  private final JvmGcMetrics jvmGc;
  private final VsphereService vsphere;

  private SysLensServer(ServerConfig config) throws IOException {
    this.config = config;
    Path data = config.dataDir().toAbsolutePath();
    Secrets secrets = new Secrets(data.resolve("secrets"));
    this.tls = config.tlsCertFile() != null
        ? TlsMaterial.fromFiles(config.tlsCertFile(), config.tlsKeyFile(), null)
        : TlsMaterial.selfManaged(data.resolve("tls"), config.clock(), config.tlsSans());
    this.tsdb = Tsdb.builder(data.resolve("tsdb")).clock(config.clock()).build();
    MetaStore m = null;
    try {
      m = MetaStore.openH2(data.resolve("meta"));
    } catch (RuntimeException e) {
      tsdb.close();
      throw e;
    }
    this.meta = m;
    try {
      UserStore users = new UserStore(meta, config.clock());
      this.generatedAdminPassword = bootstrapAdmin(users, secrets);
      if (config.enrollmentToken() != null) {
        secrets.put("enrollment-token", config.enrollmentToken());
      }
      this.enrollmentToken = secrets.getOrCreate("enrollment-token");
      this.enrollmentTokenFile = secrets.path("enrollment-token");
      byte[] jwtKey = java.util.Base64.getUrlDecoder().decode(secrets.getOrCreate("jwt-key"));

      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      TokenService tokens = new TokenService(jwtKey, config.clock(), Duration.ofHours(12));
      NodeRegistry registry = new NodeRegistry(new NodeStore(meta), config.clock(), config.offlineAfter());
      NodeSummaries summaries = new NodeSummaries();
      LiveHub hub = new LiveHub(registry, summaries);
      AgentIngestService ingest = new AgentIngestService(tsdb, registry, summaries, hub::publishSample,
          enrollmentToken, config.collectInterval(), meters);
      Engine engine = Engine.builder(tsdb).clock(config.clock()).timeout(Duration.ofSeconds(30)).build();
      QueryApi query = new QueryApi(engine, config.clock());
      new JvmMemoryMetrics().bindTo(meters);
      this.jvmGc = new JvmGcMetrics();
      jvmGc.bindTo(meters);
      new JvmThreadMetrics().bindTo(meters);
      new ProcessorMetrics().bindTo(meters);
      meters.gauge("syslens.tsdb.series", tsdb, t -> t.stats().numSeries());
      meters.gauge("syslens.live.clients", hub, LiveHub::clientCount);

      AuthDecorator auth = new AuthDecorator(tokens, LIVE_PATH);
      ServerBuilder sb = Server.builder()
          .port(new InetSocketAddress(config.bindAddress(), config.port()), SessionProtocol.HTTP, SessionProtocol.HTTPS)
          .tls(tls.certChainFile().toFile(), tls.keyFile().toFile())
          .meterRegistry(meters)
          .maxRequestLength(1024 * 1024)
          .requestTimeout(Duration.ofSeconds(60))
          .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(5))
          // PINGs find agent connections that died without closing (power loss, a cut route).
          .pingInterval(Duration.ofSeconds(30))
          .decorator(new PlainHttpLoopbackOnly());
      GrpcService grpc = GrpcService.builder()
          .addService(ingest)
          .maxRequestMessageLength(MAX_AGENT_MESSAGE_BYTES)
          .useBlockingTaskExecutor(true)
          .build();
      sb.service(grpc, delegate -> (ctx, req) -> {
        ctx.clearRequestTimeout(); // the agent stream lives for as long as the agent does
        ctx.setMaxRequestLength(0);
        return delegate.serve(ctx, req);
      });
      HttpService health = (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ok\n");
      sb.service("/healthz", health);
      sb.service("/readyz", health);
      sb.service("/api/v1/auth/login", new LoginService(users, tokens, 20));
      sb.service("/api/v1/nodes", new NodesApi(registry, summaries).decorate(auth));
      sb.service("/api/v1/query", query.instant().decorate(auth));
      sb.service("/api/v1/query_range", query.range().decorate(auth));
      MetadataApi metadata = new MetadataApi(tsdb);
      sb.service("/api/v1/labels", metadata.labels().decorate(auth));
      sb.service("/api/v1/label/{name}/values", metadata.labelValues().decorate(auth));
      sb.service("/api/v1/series", metadata.series().decorate(auth));
      // vSphere collector role: vCenters from the metadata DB, passwords sealed by the master key.
      this.vsphere = VsphereService.builder(new VCenterStore(meta, config.clock()), MasterKeyCipher.open(secrets),
          new VsphereWiring.Samples(tsdb), new VsphereWiring.Nodes(registry)).clock(config.clock()).build();
      VcentersApi vcenters = new VcentersApi(new VsphereApi(vsphere));
      sb.service(VcentersApi.PREFIX, vcenters.decorate(auth));
      sb.serviceUnder(VcentersApi.PREFIX + "/", vcenters.decorate(auth));
      sb.service(LIVE_PATH, WebSocketService.builder(hub).maxFramePayloadLength(64 * 1024)
          .allowedOrigin(origin -> true).build().decorate(auth).decorate((delegate, ctx, req) -> {
            ctx.clearRequestTimeout();
            return delegate.serve(ctx, req);
          }));
      sb.service("/metrics", ((HttpService) (ctx, req) -> HttpResponse.of(HttpStatus.OK,
          MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), meters.scrape())).decorate(auth));
      HttpService apiNotFound = (ctx, req) -> ApiErrors.error(HttpStatus.NOT_FOUND, "not_found",
          "no API endpoint at " + ctx.path() + " (expected: one of /api/v1/auth/login, /api/v1/nodes, "
              + "/api/v1/query, /api/v1/query_range, /api/v1/labels, /api/v1/label/<name>/values, "
              + "/api/v1/series, /api/v1/live, /api/v1/vcenters)");
      sb.serviceUnder("/api/", apiNotFound.decorate(auth));
      sb.serviceUnder("/", FileService.builder(SysLensServer.class.getClassLoader(), "syslens/dashboard")
          .cacheControl("no-cache").build());
      this.server = sb.build();
      this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "syslens-node-sweeper");
        t.setDaemon(true);
        return t;
      });
      sweeper.scheduleAtFixedRate(registry::sweep, 1, 1, TimeUnit.SECONDS);
    } catch (IOException | RuntimeException e) {
      meta.close(); // nothing else was opened yet that outlives this constructor (vsphere starts later)
      tsdb.close();
      throw e;
    }
  }

  /** Opens storage and metadata and starts serving; throws if the port cannot be bound. */
  public static SysLensServer start(ServerConfig config) throws IOException {
    requireNonNull(config, "config");
    SysLensServer s = new SysLensServer(config);
    try {
      s.server.start().join();
      s.vsphere.start();
    } catch (RuntimeException e) {
      s.close();
      throw new IOException("cannot listen on " + config.bindAddress() + ":" + config.port()
          + ": " + rootMessage(e), e);
    }
    log.info("SysLens listening on {}:{} (HTTPS + gRPC; plain HTTP from loopback only), data in {}",
        config.bindAddress(), s.port(), config.dataDir().toAbsolutePath());
    return s;
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  /** Creates user admin on first start; returns the generated password, or null. */
  private String bootstrapAdmin(UserStore users, Secrets secrets) throws IOException {
    if (users.count() > 0) {
      return null;
    }
    String pw = config.adminPassword();
    String generated = null;
    if (pw == null || pw.isEmpty()) {
      pw = Passwords.random(20);
      generated = pw;
      secrets.put("initial-admin-password", pw);
    }
    users.create("admin", Passwords.hash(pw), "admin");
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

  public TlsMaterial tls() {
    return tls;
  }

  public Tsdb tsdb() {
    return tsdb;
  }

  VsphereService vsphere() {
    return vsphere;
  }

  @Override
  public void close() {
    vsphere.close();
    sweeper.shutdownNow();
    server.stop().join();
    jvmGc.close();
    meta.close();
    tsdb.close();
  }
}
