package syslens.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about this host for Hello. */
final class HostInfo {

  private HostInfo() {}

  /** The kernel's host name (from {@code <procRoot>/sys/kernel/hostname}), else the resolver's. */
  static String hostname(Path procRoot) {
    try {
      String h = Files.readString(procRoot.resolve("sys/kernel/hostname")).strip();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no /proc: fall through
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /** e.g. {@code Linux 6.1.0-18-amd64 (amd64)}. */
  static String os() {
    return System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
        + System.getProperty("os.arch") + ")";
  }

  static boolean isLinux() {
    return System.getProperty("os.name", "").equals("Linux");
  }

  /** Linux (/proc collectors), Windows or macOS (OSHI collectors). */
  static boolean isSupported() {
    String os = System.getProperty("os.name", "");
    return isLinux() || os.startsWith("Windows") || os.startsWith("Mac OS X") || os.startsWith("macOS");
  }

  static String agentVersion() {
    String v = Agent.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT";
  }
}
