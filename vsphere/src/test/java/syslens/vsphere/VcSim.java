package syslens.vsphere;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * govmomi's vCenter simulator as a real peer: built once from src/test/go/vcsim with Debian's Go
 * and golang-github-vmware-govmomi-dev (cached under target/vcsim, rebuilt when the source is
 * newer), started on 127.0.0.1 with TLS, stopped by {@link #close()}.
 */
public final class VcSim implements AutoCloseable {
  public static final String USER = "syslens";
  public static final String PASSWORD = "vcsim-pass";
  private static final Pattern URL = Pattern.compile("\"url\":\"([^\"]+)\"");
  private static final Pattern SHA = Pattern.compile("\"sha256\":\"([0-9a-f]{64})\"");

  private final Process process;
  private final URI url;
  private final String sha256;
  private final List<String> args;
  private final Path tmp;

  private VcSim(Process process, URI url, String sha256, List<String> args, Path tmp) {
    this.process = process;
    this.url = url;
    this.sha256 = sha256;
    this.args = args;
    this.tmp = tmp;
  }

  /** Starts a simulator; {@code flags} as in main.go, e.g. "-cluster", "2", "-vm", "10". */
  public static VcSim start(String... flags) throws IOException {
    Path bin = binary();
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.toString());
    cmd.add("-user");
    cmd.add(USER);
    cmd.add("-pass");
    cmd.add(PASSWORD);
    cmd.addAll(List.of(flags));
    Path tmp = Files.createTempDirectory("vcsim");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false)
        .redirectError(tmp.resolve("stderr.txt").toFile());
    pb.environment().put("TMPDIR", tmp.toString()); // the simulator's datastore directories
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    try {
      line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          return null;
        }
      }).get(300, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("vcsim did not start within 300 s", e);
    }
    if (line == null) {
      p.destroyForcibly();
      throw new IOException("vcsim exited: " + Files.readString(tmp.resolve("stderr.txt")));
    }
    Matcher u = URL.matcher(line);
    Matcher s = SHA.matcher(line);
    if (!u.find() || !s.find()) {
      p.destroyForcibly();
      throw new IOException("vcsim printed '" + line + "' (expected: {\"url\":...,\"sha256\":...})");
    }
    return new VcSim(p, URI.create(u.group(1)), s.group(1), cmd, tmp);
  }

  /**
   * The simulator binary, built on first use by {@code src/test/go/build-vcsim.sh}, which the root
   * pom also starts in the background when a test build begins; the script waits for a build in
   * progress and returns at once when the binary is newer than the sources.
   */
  public static synchronized Path binary() throws IOException {
    Path src = Path.of(System.getProperty("vcsim.source", "src/test/go/vcsim"));
    Path bin = Path.of(System.getProperty("vcsim.binary", "target/vcsim/vcsim"));
    Path script = src.toAbsolutePath().getParent().resolve("build-vcsim.sh");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), bin.toAbsolutePath().toString())
        .redirectErrorStream(true);
    Process p = pb.start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("building vcsim failed (needs Debian's golang-go and "
            + "golang-github-vmware-govmomi-dev):\n" + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted building vcsim", e);
    }
    return bin;
  }

  public URI url() {
    return url;
  }

  public String sha256() {
    return sha256;
  }

  public int port() {
    return url.getPort();
  }

  public long pid() {
    return process.pid();
  }

  /** Kills the simulator abruptly (SIGKILL), as a crashed vCenter. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts a fresh simulator with the same flags on the same port (after {@link #kill()}). */
  public VcSim restartOnSamePort() throws IOException {
    List<String> flags = new ArrayList<>(args.subList(5, args.size()));
    flags.add("-port");
    flags.add(Integer.toString(port()));
    return start(flags.toArray(String[]::new));
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close(); // main.go exits when stdin closes
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
    try {
      deleteTree(tmp);
    } catch (IOException ignored) {
      // a temp dir left behind is harmless
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
