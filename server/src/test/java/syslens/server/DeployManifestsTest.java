package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * deploy/k8s and deploy/systemd say what they promise: every manifest parses and has the fields
 * Kubernetes requires, selectors match the pods they select, the replicas that write samples
 * keep a volume each (StatefulSet) while the api replicas are stateless (Deployment), the
 * server's arguments are ones its command line takes, and every probe asks a route a running
 * server answers 200 over HTTPS. No Kubernetes cluster runs here: nothing is applied.
 */
class DeployManifestsTest {
  static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
  static final List<JsonNode> DOCS = new ArrayList<>();
  static final Map<String, JsonNode> BY_KIND_NAME = new HashMap<>();

  @TempDir static Path dir;

  @BeforeAll
  static void parse() throws Exception {
    YAMLMapper yaml = new YAMLMapper();
    try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(f.toFile())) {
          while (it.hasNextValue()) {
            JsonNode doc = it.nextValue();
            if (doc != null && !doc.isEmpty()) {
              DOCS.add(doc);
              BY_KIND_NAME.put(doc.path("kind").asText() + "/" + doc.at("/metadata/name").asText(), doc);
            }
          }
        }
      }
    }
  }

  /** The server's workloads: replicas that write samples (StatefulSet) and the stateless api ones (Deployment). */
  static final List<String> SERVERS = List.of("StatefulSet/syslens-server", "Deployment/syslens-api");

  @Test
  void manifests_haveTheRequiredKindsAndFields() {
    Set<String> kinds = new LinkedHashSet<>();
    for (JsonNode d : DOCS) {
      String kind = d.path("kind").asText();
      kinds.add(kind);
      assertThat(d.path("apiVersion").asText()).as(kind).isNotEmpty();
      assertThat(d.at("/metadata/name").asText()).as(kind).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
      if (!kind.equals("Namespace")) {
        assertThat(d.at("/metadata/namespace").asText()).as(kind).isEqualTo("syslens");
      }
    }
    assertThat(kinds).contains("Namespace", "Secret", "ConfigMap", "StatefulSet", "Deployment", "Service",
        "PodDisruptionBudget", "DaemonSet");
  }

  @Test
  void workloads_selectTheirOwnPodsAndServicesAndBudgetsSelectThem() {
    for (String w : List.of("StatefulSet/syslens-server", "Deployment/syslens-api", "DaemonSet/syslens-agent")) {
      JsonNode d = BY_KIND_NAME.get(w);
      assertThat(d).as(w).isNotNull();
      assertSelects(d.at("/spec/selector/matchLabels"), d.at("/spec/template/metadata/labels"), w);
      for (JsonNode c : d.at("/spec/template/spec/containers")) {
        assertThat(c.path("name").asText()).isNotEmpty();
        assertThat(c.path("image").asText()).as(w).contains(":");
      }
      // Every volume a container mounts is a volume of the pod or a claim template.
      Set<String> volumes = new LinkedHashSet<>();
      d.at("/spec/template/spec/volumes").forEach(v -> volumes.add(v.path("name").asText()));
      d.at("/spec/volumeClaimTemplates").forEach(v -> volumes.add(v.at("/metadata/name").asText()));
      for (String containers : List.of("containers", "initContainers")) {
        for (JsonNode c : d.at("/spec/template/spec/" + containers)) {
          c.path("volumeMounts").forEach(m -> assertThat(volumes).as(w + " " + c.path("name").asText())
              .contains(m.path("name").asText()));
        }
      }
    }
    for (String[] pair : new String[][] {{"StatefulSet/syslens-server", "syslens-server"},
        {"StatefulSet/syslens-server", "syslens-server-headless"}, {"Deployment/syslens-api", "syslens-api"}}) {
      JsonNode server = BY_KIND_NAME.get(pair[0]);
      JsonNode pod = server.at("/spec/template/metadata/labels");
      JsonNode service = BY_KIND_NAME.get("Service/" + pair[1]);
      assertThat(service).as(pair[1]).isNotNull();
      assertSelects(service.at("/spec/selector"), pod, "Service " + pair[1]);
      Set<String> ports = new LinkedHashSet<>();
      server.at("/spec/template/spec/containers/0/ports").forEach(p -> ports.add(p.path("name").asText()));
      for (JsonNode p : service.at("/spec/ports")) {
        assertThat(ports).contains(p.path("targetPort").asText());
      }
      String budget = "PodDisruptionBudget/" + server.at("/metadata/name").asText();
      assertThat(BY_KIND_NAME).containsKey(budget);
      assertSelects(BY_KIND_NAME.get(budget).at("/spec/selector/matchLabels"), pod, budget);
    }
    JsonNode set = BY_KIND_NAME.get("StatefulSet/syslens-server");
    assertThat(BY_KIND_NAME.get("Service/" + set.at("/spec/serviceName").asText()).at("/spec/clusterIP").asText())
        .as("a StatefulSet's serviceName is a headless Service").isEqualTo("None");
    // Every configMap/secret a pod names exists.
    for (JsonNode d : DOCS) {
      for (JsonNode ref : d.findValues("configMapRef")) {
        assertThat(BY_KIND_NAME).containsKey("ConfigMap/" + ref.path("name").asText());
      }
      for (JsonNode ref : d.findValues("secretRef")) {
        assertThat(BY_KIND_NAME).containsKey("Secret/" + ref.path("name").asText());
      }
      for (JsonNode ref : d.findValues("secretName")) {
        assertThat(BY_KIND_NAME).containsKey("Secret/" + ref.asText());
      }
    }
    JsonNode config = BY_KIND_NAME.get("ConfigMap/syslens-server").path("data");
    assertThat(StorageSettings.Kind.of(config.path("SYSLENS_STORAGE").asText()))
        .isEqualTo(StorageSettings.Kind.PROMETHEUS_REMOTE);
    assertThat(config.path("SYSLENS_STORAGE_URL").asText()).startsWith("http://").endsWith("/api/v1/write");
  }

  /**
   * The multi-replica layout's rule: a replica that acknowledges samples (ingest, writer, and
   * alerting and collector, which write rule results and vCenter samples) keeps them in a write
   * buffer on its data directory until the store has them, so it must come back with its own
   * volume: a StatefulSet with a claim template. The api role writes no samples and may run
   * in a Deployment on an emptyDir. Together the workloads cover every role, each on 2+ replicas.
   */
  @Test
  void roles_thatWriteSamplesRunWithAVolumeOfTheirOwn_everyRoleOnSeveralReplicas() {
    Map<Role, Integer> replicas = new HashMap<>();
    for (String w : SERVERS) {
      JsonNode d = BY_KIND_NAME.get(w);
      String roles = null;
      for (JsonNode e : d.at("/spec/template/spec/containers/0/env")) {
        if (e.path("name").asText().equals("SYSLENS_ROLES")) {
          roles = e.path("value").asText();
        }
      }
      assertThat(roles).as(w + " sets SYSLENS_ROLES").isNotNull();
      Set<Role> parsed = Role.parse(roles);
      boolean writes = parsed.stream().anyMatch(r -> r != Role.API);
      boolean ownVolume = d.path("kind").asText().equals("StatefulSet")
          && d.at("/spec/volumeClaimTemplates").size() > 0;
      if (writes) {
        assertThat(ownVolume).as(w + " (roles " + roles + ") writes samples: a StatefulSet with a volume each").isTrue();
      }
      parsed.forEach(r -> replicas.merge(r, d.at("/spec/replicas").asInt(), Integer::sum));
    }
    assertThat(replicas.keySet()).containsExactlyInAnyOrderElementsOf(Role.all());
    replicas.forEach((r, n) -> assertThat(n).as("replicas with role " + r).isGreaterThanOrEqualTo(2));
  }

  private static void assertSelects(JsonNode selector, JsonNode labels, String what) {
    assertThat(selector.isObject() && !selector.isEmpty()).as(what + " selector").isTrue();
    selector.properties().forEach(e -> assertThat(labels.path(e.getKey()).asText()).as(what + " " + e.getKey())
        .isEqualTo(e.getValue().asText()));
  }

  @Test
  void serverArguments_areOnesTheCommandLineTakes() throws Exception {
    for (String w : SERVERS) {
      JsonNode c = BY_KIND_NAME.get(w).at("/spec/template/spec/containers/0");
      List<String> args = new ArrayList<>();
      c.path("args").forEach(a -> args.add(a.asText()));
      CommandLine.ParseResult k8s = Main.commandLine().parseArgs(args.toArray(String[]::new));
      int port = k8s.subcommand().matchedOptionValue("--port", 0);
      assertThat(c.at("/ports/0/containerPort").asInt()).as(w).isEqualTo(port);
    }

    String unit = Files.readString(DEPLOY.resolve("systemd/syslens-server.service"));
    assertThat(unit).contains("[Unit]", "[Service]", "[Install]", "EnvironmentFile=/etc/syslens/server.env");
    String exec = unit.substring(unit.indexOf("ExecStart=")).lines().takeWhile(l -> true)
        .reduce("", (a, l) -> a.endsWith("\\") ? a.substring(0, a.length() - 1) + " " + l.strip() : a.isEmpty() ? l : a);
    List<String> words = List.of(exec.substring("ExecStart=".length()).trim().split("\\s+"));
    List<String> serverArgs = words.subList(words.indexOf("server"), words.size());
    CommandLine.ParseResult systemd = Main.commandLine().parseArgs(serverArgs.toArray(String[]::new));
    assertThat(systemd.subcommand().commandSpec().name()).isEqualTo("server");
    assertThat(systemd.subcommand().matchedOptionValue("--data", (Path) null)).isEqualTo(Path.of("/var/lib/syslens"));
    for (String line : Files.readAllLines(DEPLOY.resolve("systemd/server.env.example"))) {
      if (line.startsWith("SYSLENS_STORAGE=")) {
        assertThat(StorageSettings.Kind.of(line.substring("SYSLENS_STORAGE=".length()))).isNotNull();
      }
    }
  }

  @Test
  void probes_askRoutesARunningServerAnswersOverHttps() throws Exception {
    Set<String> paths = new LinkedHashSet<>();
    for (String w : SERVERS) {
      JsonNode c = BY_KIND_NAME.get(w).at("/spec/template/spec/containers/0");
      for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
        JsonNode get = c.path(probe).path("httpGet");
        assertThat(get.path("scheme").asText()).as(w + " " + probe + ": plain HTTP is loopback-only")
            .isEqualTo("HTTPS");
        assertThat(get.path("port").asText()).isEqualTo("https");
        paths.add(get.path("path").asText());
      }
    }
    assertThat(paths).containsExactlyInAnyOrder("/healthz", "/readyz");
    try (TestServer server = new TestServer(dir, Duration.ofSeconds(10))) {
      for (String p : paths) {
        HttpResponse<String> r = https(server, p);
        assertThat(r.statusCode()).as(p).isEqualTo(200);
        // /healthz: "ok"; /readyz: JSON per dependency (docs/api.md).
        assertThat(r.body()).satisfiesAnyOf(b -> assertThat(b).startsWith("ok"),
            b -> assertThat(b).startsWith("{\"status\":\"ready\""));
      }
    }
  }

  /** GET over HTTPS from the server's own CA, as the kubelet asks (it skips the check, we do not). */
  private static HttpResponse<String> https(TestServer server, String path) throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
    trust.load(null, null);
    try (java.io.InputStream in = Files.newInputStream(server.server.tls().caCertFile())) {
      trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(ssl)
        .connectTimeout(Duration.ofSeconds(5)).build();
    return client.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("https://localhost:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
