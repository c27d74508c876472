package syslens.vsphere.guest;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How to reach the guests of the VMs a selector picks, as stored: secrets only sealed with the
 * server's master key (see {@link syslens.vsphere.CredentialCipher}). {@code timeout} is the
 * connect timeout for SSH and WinRM (default 15 s) and the run timeout of a script (default 30 s).
 *
 * @param connectAddress "host" or "host:port" used instead of the VM's own address (a jump host,
 *     NAT, or a test pointing a simulated VM at 127.0.0.1:port); null: the VM's first IP
 * @param port 0: the kind's default (22, 5986 with https, 5985 without)
 * @param pinnedSha256 WinRM over https: trust exactly this certificate (64 hex digits) instead of
 *     the JDK's CAs
 * @param command script: the program and its first arguments; the VM's name, address and node id
 *     are appended
 */
public record GuestCredential(String id, String name, Kind kind, Selector selector, String connectAddress,
    int port, String user, String sealedPassword, String sealedPrivateKey, boolean https, String pinnedSha256,
    List<String> command, Duration timeout, boolean enabled) {

  /** The channel a credential opens. */
  public enum Kind {
    SSH, WINRM, SCRIPT;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Which VMs a credential covers; every given part must match (at least one is given).
   *
   * @param vmGlob the VM name, {@code *} and {@code ?} as wildcards
   * @param labels the VM's labels ({@code vcenter}, {@code datacenter}, {@code cluster},
   *     {@code esxhost}, {@code vm}), each equal
   * @param address one of the VM's IP addresses, exactly
   */
  public record Selector(String vmGlob, Map<String, String> labels, String address) {
    public Selector {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      if ((vmGlob == null || vmGlob.isEmpty()) && labels.isEmpty() && (address == null || address.isEmpty())) {
        throw new IllegalArgumentException("selector: empty (expected: at least one of vms (a VM name glob),"
            + " labels (e.g. {\"cluster\": \"prod\"}) or address (a VM IP))");
      }
      if (vmGlob != null && vmGlob.length() > 256) {
        throw new IllegalArgumentException("selector.vms: " + vmGlob.length() + " characters (expected: <= 256)");
      }
    }

    /** Whether this VM is covered. */
    public boolean matches(GuestVm vm) {
      if (vmGlob != null && !vmGlob.isEmpty() && !glob(vmGlob).matcher(vm.name()).matches()) {
        return false;
      }
      for (Map.Entry<String, String> e : labels.entrySet()) {
        if (!e.getValue().equals(vm.labels().get(e.getKey()))) {
          return false;
        }
      }
      return address == null || address.isEmpty() || vm.ips().contains(address);
    }

    static Pattern glob(String glob) {
      StringBuilder re = new StringBuilder();
      for (char c : glob.toCharArray()) {
        switch (c) {
          case '*' -> re.append(".*");
          case '?' -> re.append('.');
          default -> re.append(Pattern.quote(String.valueOf(c)));
        }
      }
      return Pattern.compile(re.toString(), Pattern.DOTALL); // quoted literals: linear time
    }
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  public GuestCredential {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    requireNonNull(selector, "selector");
    requireNonNull(timeout, "timeout");
    command = command == null ? List.of() : List.copyOf(command);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name: '" + name
          + "' (expected: 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535, or 0 for the default)");
    }
    if (timeout.toMillis() < 100 || timeout.toSeconds() > 600) {
      throw new IllegalArgumentException("timeout: " + timeout.toMillis() + " ms (expected: 100 ms..600 s)");
    }
    if (connectAddress != null) {
      if (connectAddress.isBlank() || connectAddress.length() > 255) {
        throw new IllegalArgumentException("connectAddress: '" + connectAddress + "' (expected: host or host:port)");
      }
      HostPort.parse(connectAddress, 1); // refuses a port that is not a number in range
    }
    switch (kind) {
      case SSH, WINRM -> {
        if (user == null || user.isEmpty()) {
          throw new IllegalArgumentException("user: missing (expected: the guest account for " + kind.label() + ")");
        }
        if (sealedPassword == null && (kind == Kind.WINRM || sealedPrivateKey == null)) {
          throw new IllegalArgumentException("password: missing (expected: " + (kind == Kind.SSH
              ? "a password or a privateKey" : "the account's password; WinRM uses Basic authentication") + ")");
        }
        if (!command.isEmpty()) {
          throw new IllegalArgumentException("command: given for kind " + kind.label() + " (expected: only for kind script)");
        }
      }
      case SCRIPT -> {
        if (command.isEmpty() || command.getFirst().isBlank()) {
          throw new IllegalArgumentException("command: missing (expected: [\"/path/to/script\", \"arg\", ...])");
        }
      }
    }
  }

  /** The port to connect to when {@code connectAddress} names none. */
  public int effectivePort() {
    if (port != 0) {
      return port;
    }
    return switch (kind) {
      case SSH -> 22;
      case WINRM -> https ? 5986 : 5985;
      case SCRIPT -> 0;
    };
  }

  /** Host and port to connect to for this VM: the override, or the VM's first IP. */
  public HostPort endpoint(GuestVm vm) {
    if (connectAddress != null) {
      return HostPort.parse(connectAddress, effectivePort());
    }
    return new HostPort(vm.ips().isEmpty() ? "" : vm.ips().getFirst(), effectivePort());
  }

  /** A host and a port. */
  public record HostPort(String host, int port) {
    static HostPort parse(String s, int defaultPort) {
      int colon = s.lastIndexOf(':');
      if (colon > 0 && s.indexOf(':') == colon) { // host:port (an IPv6 literal has more colons)
        try {
          int port = Integer.parseInt(s.substring(colon + 1));
          if (port >= 1 && port <= 65535) {
            return new HostPort(s.substring(0, colon), port);
          }
        } catch (NumberFormatException e) {
          // fall through to the error
        }
        throw new IllegalArgumentException("connectAddress: '" + s + "' (expected: host or host:port, port 1..65535)");
      }
      return new HostPort(s, defaultPort);
    }

    @Override
    public String toString() {
      return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  @Override
  public String toString() { // sealed secrets stay out of logs too
    return "GuestCredential{id=" + id + ", name=" + name + ", kind=" + kind.label() + ", user=" + user + "}";
  }
}
