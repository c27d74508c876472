package syslens.agent;

/** A parsed {@code host:port} (IPv6 hosts in brackets). */
record HostPort(String host, int port) {

  static HostPort parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("server: null (expected: host:port)");
    }
    String t = text.strip();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw new IllegalArgumentException("server: " + text + " (expected: host:port)");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("server: " + text + " (expected: [ipv6]:port)");
    }
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("server: " + text + " (expected: host:port)");
    }
    if (port < 1 || port > 65535 || host.isEmpty()) {
      throw new IllegalArgumentException("server: " + text + " (expected: host:port, port 1-65535)");
    }
    return new HostPort(host, port);
  }
}
