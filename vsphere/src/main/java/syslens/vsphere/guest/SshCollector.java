package syslens.vsphere.guest;

import static java.util.Objects.requireNonNull;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UserInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Collects a Linux guest over SSH (JSch): one session, one exec of {@link LinuxGuestParser#COMMAND},
 * output at most {@code maxOutputBytes}, the whole exchange under a deadline (the session is cut
 * when it passes). The guest's host key is pinned on first use (SHA-256, as {@code ssh-keygen -l}
 * prints it) and a different key later is refused.
 */
final class SshCollector {
  /** The pinned-key store for one VM; {@code pinned} empty on first use. */
  record Pin(Optional<String> pinned, java.util.function.Consumer<String> pinOnFirstUse) {}

  private final ScheduledExecutorService watchdog;
  private final Duration commandTimeout;
  private final int maxOutputBytes;

  SshCollector(ScheduledExecutorService watchdog, Duration commandTimeout, int maxOutputBytes) {
    this.watchdog = requireNonNull(watchdog, "watchdog");
    this.commandTimeout = requireNonNull(commandTimeout, "commandTimeout");
    this.maxOutputBytes = maxOutputBytes;
  }

  /**
   * @param password the opened password, or null
   * @param privateKey the opened private key (OpenSSH or PEM text, no passphrase), or null
   */
  List<GuestMetric> collect(GuestCredential.HostPort at, String user, String password, String privateKey,
      Duration connectTimeout, Pin pin) throws GuestException {
    String output = run(at, user, password, privateKey, connectTimeout, pin, LinuxGuestParser.COMMAND);
    return LinuxGuestParser.parse(output);
  }

  /** Runs one command in one session and returns its standard output. */
  String run(GuestCredential.HostPort at, String user, String password, String privateKey, Duration connectTimeout,
      Pin pin, String command) throws GuestException {
    if (at.host().isEmpty()) {
      throw new GuestException("no address: the VM reports no IP (expected: VMware Tools running, or a connectAddress)");
    }
    PinningRepository keys = new PinningRepository(pin.pinned().orElse(null));
    JSch jsch = new JSch();
    jsch.setHostKeyRepository(keys);
    Session session = null;
    ScheduledFuture<?> cut = null;
    java.util.concurrent.atomic.AtomicBoolean cutOff = new java.util.concurrent.atomic.AtomicBoolean();
    try {
      if (privateKey != null) {
        jsch.addIdentity("syslens-guest", privateKey.getBytes(StandardCharsets.UTF_8), null, null);
      }
      session = jsch.getSession(user, at.host(), at.port());
      if (password != null) {
        session.setPassword(password);
      }
      session.setConfig("StrictHostKeyChecking", "yes");
      session.setConfig("PreferredAuthentications", privateKey != null ? "publickey,password" : "password,keyboard-interactive");
      session.setUserInfo(new NoPrompts(password));
      int connectMs = (int) Math.max(1, connectTimeout.toMillis());
      session.setTimeout(connectMs + (int) commandTimeout.toMillis());
      Session s = session;
      cut = watchdog.schedule(() -> {
        cutOff.set(true);
        s.disconnect();
      }, connectMs + commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
      session.connect(connectMs);
      if (keys.presented != null && pin.pinned().isEmpty()) {
        pin.pinOnFirstUse().accept(keys.presented);
      }
      ChannelExec ch = (ChannelExec) session.openChannel("exec");
      ch.setCommand(command);
      ch.setInputStream(null);
      InputStream in = ch.getInputStream();
      ch.connect(connectMs);
      String out = readLimited(in);
      if (cutOff.get()) {
        throw deadline(at, connectMs);
      }
      return out;
    } catch (JSchException e) {
      throw cutOff.get() ? deadline(at, connectTimeout.toMillis()) : explain(e, at, user, connectTimeout, keys);
    } catch (IOException e) {
      if (cutOff.get()) {
        throw deadline(at, connectTimeout.toMillis());
      }
      throw new GuestException("reading the command's output from " + at + " failed: " + e.getMessage(), e);
    } finally {
      if (cut != null) {
        cut.cancel(false);
      }
      if (session != null) {
        session.disconnect();
      }
    }
  }

  private GuestException deadline(GuestCredential.HostPort at, long connectMs) {
    return new GuestException("the session with " + at + " did not finish within " + (connectMs
        + commandTimeout.toMillis()) + " ms (connect timeout + command timeout); cut off (expected: /proc and df"
        + " to answer quickly)");
  }

  private String readLimited(InputStream in) throws IOException, GuestException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(64 * 1024);
    byte[] b = new byte[16 * 1024];
    int n;
    while ((n = in.read(b)) >= 0) {
      if (buf.size() + n > maxOutputBytes) {
        throw new GuestException("the guest's output exceeded " + maxOutputBytes
            + " bytes (expected: less; a guest with very many disks or mounts?)");
      }
      buf.write(b, 0, n);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  private GuestException explain(JSchException e, GuestCredential.HostPort at, String user, Duration timeout,
      PinningRepository keys) {
    if (keys.mismatch != null) {
      return new GuestException("host key changed: " + at + " presented " + keys.mismatch + " but " + keys.pinned
          + " was pinned on first use; refusing to connect (expected: the pinned key; if the guest was"
          + " reinstalled, forget the pin: DELETE /api/v1/guest-credentials/host-keys/{node})");
    }
    String m = String.valueOf(e.getMessage());
    Throwable c = e.getCause();
    if (m.startsWith("Auth fail") || m.startsWith("Auth cancel") || m.contains("Too many authentication failures")) {
      return new GuestException("authentication failed for user '" + user + "' at " + at
          + " (expected: the right password, or a private key whose public key is in the guest's authorized_keys)");
    }
    if (c instanceof SocketTimeoutException || m.contains("timeout") || m.contains("timed out")) {
      return new GuestException("connect to " + at + " timed out after " + timeout.toMillis()
          + " ms (expected: sshd reachable on that address)");
    }
    if (c instanceof ConnectException) {
      return new GuestException("connection refused by " + at + " (expected: sshd listening there)");
    }
    if (c instanceof NoRouteToHostException || c instanceof UnknownHostException) {
      return new GuestException("cannot reach " + at + ": " + c.getMessage());
    }
    if (m.contains("invalid privatekey") || m.contains("privatekey")) {
      return new GuestException("the private key cannot be read (expected: an unencrypted OpenSSH or PEM private key)");
    }
    return new GuestException("ssh to " + at + " failed: " + m, e);
  }

  static String fingerprint(byte[] keyBlob) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(keyBlob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Accepts the pinned key only, or any key on first use (remembered in {@code presented}). */
  private static final class PinningRepository implements HostKeyRepository {
    final String pinned;
    volatile String presented;
    volatile String mismatch;

    PinningRepository(String pinned) {
      this.pinned = pinned;
    }

    @Override
    public int check(String host, byte[] key) {
      String fp = fingerprint(key);
      presented = fp;
      if (pinned == null || pinned.equals(fp)) {
        return OK;
      }
      mismatch = fp;
      return CHANGED;
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {}

    @Override
    public void remove(String host, String type) {}

    @Override
    public void remove(String host, String type, byte[] key) {}

    @Override
    public String getKnownHostsRepositoryID() {
      return "syslens-pins";
    }

    @Override
    public HostKey[] getHostKey() {
      return new HostKey[0];
    }

    @Override
    public HostKey[] getHostKey(String host, String type) {
      return new HostKey[0];
    }
  }

  /** Answers keyboard-interactive with the password; never prompts anyone. */
  private record NoPrompts(String password) implements UserInfo, com.jcraft.jsch.UIKeyboardInteractive {
    @Override
    public String getPassphrase() {
      return null;
    }

    @Override
    public String getPassword() {
      return password;
    }

    @Override
    public boolean promptPassword(String message) {
      return false; // the password set on the session is tried once; no retries
    }

    @Override
    public boolean promptPassphrase(String message) {
      return false;
    }

    @Override
    public boolean promptYesNo(String message) {
      return false;
    }

    @Override
    public void showMessage(String message) {}

    @Override
    public String[] promptKeyboardInteractive(String destination, String name, String instruction, String[] prompt,
        boolean[] echo) {
      if (password == null || prompt.length != 1) {
        return null;
      }
      return new String[] {password};
    }

    @Override
    public String toString() {
      return "NoPrompts";
    }
  }
}
