package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * node_exporter's {@code netstat} collector with its 1.5 default field filter: {@code
 * /proc/net/netstat} and {@code /proc/net/snmp} (header line, value line per protocol) and
 * {@code /proc/net/snmp6} (one {@code Ip6InOctets 384} pair per line), as
 * {@code node_netstat_<Protocol>_<Field>}.
 *
 * <p>The kernel's field names do not change between rounds: which fields the filter keeps, and
 * their metric names, are worked out once per header line (once per snmp6 name) and reused, so a
 * round matches no regex and builds no names. Not thread-safe (one collection thread).
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
  /** Header line ("Tcp: RtoAlgorithm RtoMin ...") to the columns kept and their metric names. */
  private final Map<String, Kept> headers = new HashMap<>();
  /** snmp6 name ("Ip6InOctets") to its metric name, or {@link #DROPPED}. */
  private final Map<String, String> snmp6Names = new HashMap<>();
  private static final String DROPPED = "";
  /** Bound on each cache (the kernel has a few hundred fields; a stranger file cannot grow it). */
  static final int MAX_CACHED = 4096;

  private record Kept(String label, int columns, int[] index, String[] metric) {}

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
      String metric = snmp6Names.get(f[0]);
      if (metric == null) {
        int six6 = f[0].indexOf('6');
        metric = six6 < 0 ? DROPPED : metricName(f[0].substring(0, six6 + 1), f[0].substring(six6 + 1));
        if (snmp6Names.size() >= MAX_CACHED) {
          snmp6Names.clear();
        }
        snmp6Names.put(f[0], metric);
      }
      if (metric != DROPPED) {
        sink.add(metric, Double.parseDouble(f[1]));
      }
    }
  }

  /** "Proto: A B C" followed by "Proto: 1 2 3". */
  private void pairs(List<String> lines, MetricSink sink) {
    for (int i = 0; i + 1 < lines.size(); i += 2) {
      Kept kept = kept(lines.get(i));
      if (kept == null) {
        continue;
      }
      String[] values = ProcFiles.fields(lines.get(i + 1));
      if (values.length != kept.columns() || !values[0].equals(kept.label())) {
        continue;
      }
      for (int k = 0; k < kept.index().length; k++) {
        sink.add(kept.metric()[k], Double.parseDouble(values[kept.index()[k]]));
      }
    }
  }

  /** The columns of a header line the filter keeps, or null for a line too short to be one. */
  private Kept kept(String header) {
    Kept kept = headers.get(header);
    if (kept != null) {
      return kept;
    }
    String[] names = ProcFiles.fields(header);
    if (names.length < 2) {
      return null;
    }
    String proto = names[0].substring(0, names[0].length() - 1);
    List<Integer> index = new ArrayList<>();
    List<String> metric = new ArrayList<>();
    for (int k = 1; k < names.length; k++) {
      String m = metricName(proto, names[k]);
      if (m != DROPPED) {
        index.add(k);
        metric.add(m);
      }
    }
    int[] idx = new int[index.size()];
    for (int k = 0; k < idx.length; k++) {
      idx[k] = index.get(k);
    }
    kept = new Kept(names[0], names.length, idx, metric.toArray(new String[0]));
    if (headers.size() >= MAX_CACHED) {
      headers.clear();
    }
    headers.put(header, kept);
    return kept;
  }

  /** {@code node_netstat_<proto>_<field>} when the default filter keeps it, else {@link #DROPPED}. */
  private static String metricName(String proto, String field) {
    String key = proto + "_" + field;
    return FIELDS.matcher(key).matches() ? "node_netstat_" + key : DROPPED;
  }
}
