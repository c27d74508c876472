package syslens.vsphere.guest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real OpenSSH sshd (Debian {@code openssh-server}) on 127.0.0.1, a free port, as the current
 * user, with its own config, a host key made by ssh-keygen and one authorized client key, all in
 * a temp dir. Stopped by {@link #close()}.
 */
public final class Sshd implements AutoCloseable {
  static final Path SSHD = Path.of("/usr/sbin/sshd");
  public final int port;
  public final Path dir;
  public final String clientPrivateKey;
  public final String hostKeyFingerprint;
  private final Process process;

  private Sshd(Path dir, int port, Process process, String clientPrivateKey, String hostKeyFingerprint) {
    this.dir = dir;
    this.port = port;
    this.process = process;
    this.clientPrivateKey = clientPrivateKey;
    this.hostKeyFingerprint = hostKeyFingerprint;
  }

  public static boolean available() {
    return Files.isExecutable(SSHD) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen"));
  }

  /** Starts sshd in {@code dir} (created), with a fresh host key and a fresh client key. */
  public static Sshd start(Path dir) throws Exception {
    Files.createDirectories(dir);
    run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
    run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "syslens-test", "-f", dir.resolve("client_key").toString());
    Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
    String fp = run(dir, "ssh-keygen", "-l", "-E", "sha256", "-f", dir.resolve("host_key.pub").toString()).split(" ")[1];
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "ListenAddress 127.0.0.1",
        "Port " + port,
        "HostKey " + dir.resolve("host_key"),
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        "PidFile " + dir.resolve("sshd.pid"),
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication yes",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "MaxStartups 200",
        "LogLevel ERROR",
        ""));
    if ("root".equals(System.getProperty("user.name"))) {
      Files.createDirectories(Path.of("/run/sshd")); // privilege separation directory, needed when root
    }
    Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
    Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
      if (!p.isAlive()) {
        throw new IllegalStateException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
      }
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
    return new Sshd(dir, port, p, Files.readString(dir.resolve("client_key")), fp);
  }

  /** The sshd process id (its sessions are its children). */
  public long pid() {
    return process.pid();
  }

  static String run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
