package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * node_exporter's {@code netstat} collector with its 1.5 default field filter: {@code
 * /proc/net/netstat} and {@code /proc/net/snmp} (header line, value line per protocol) and
 * {@code /proc/net/snmp6} (one {@code Ip6InOctets 384} pair per line), as
 * {@code node_netstat_<Protocol>_<Field>}.
 */
final class NetStatCollector implements Collector {

  /** node_exporter 1.5's {@code --collector.netstat.fields} default. */
  static final Pattern FIELDS = Pattern.compile("^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)"
      + "|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)"
      + "|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)"
      + "|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$");

  private final Path netstat;
  private final Path snmp;
  private final Path snmp6;

  NetStatCollector(Path procRoot) {
    Path net = requireNonNull(procRoot, "procRoot").resolve("net");
    this.netstat = net.resolve("netstat");
    this.snmp = net.resolve("snmp");
    this.snmp6 = net.resolve("snmp6");
  }

  @Override
  public String name() {
    return "netstat";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    pairs(ProcFiles.lines(netstat), sink);
    pairs(ProcFiles.lines(snmp), sink);
    List<String> six;
    try {
      six = ProcFiles.lines(snmp6);
    } catch (IOException e) {
      return; // IPv6 disabled: node_exporter skips it too
    }
    for (String line : six) {
      String[] f = ProcFiles.fields(line);
      if (f.length != 2) {
        continue;
      }
      int six6 = f[0].indexOf('6');
      if (six6 < 0) {
        continue;
      }
      emit(f[0].substring(0, six6 + 1), f[0].substring(six6 + 1), f[1], sink);
    }
  }

  /** "Proto: A B C" followed by "Proto: 1 2 3". */
  private static void pairs(List<String> lines, MetricSink sink) {
    for (int i = 0; i + 1 < lines.size(); i += 2) {
      String[] names = ProcFiles.fields(lines.get(i));
      String[] values = ProcFiles.fields(lines.get(i + 1));
      if (names.length != values.length || names.length < 2 || !names[0].equals(values[0])) {
        continue;
      }
      String proto = names[0].substring(0, names[0].length() - 1);
      for (int k = 1; k < names.length; k++) {
        emit(proto, names[k], values[k], sink);
      }
    }
  }

  private static void emit(String proto, String field, String value, MetricSink sink) {
    String key = proto + "_" + field;
    if (FIELDS.matcher(key).matches()) {
      sink.add("node_netstat_" + key, Double.parseDouble(value));
    }
  }
}
