package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * node_exporter 1.5's {@code os} collector: {@code /etc/os-release}, else
 * {@code /usr/lib/os-release}, as {@code node_os_info} (1, twelve labels) and {@code
 * node_os_version} (VERSION_ID's leading number). The file is read again only when it changes
 * size or time (an upgrade), not every round.
 */
final class OsReleaseCollector implements Collector {

  private static final String[] INFO_LABELS = {"build_id", "id", "id_like", "image_id", "image_version", "name",
      "pretty_name", "variant", "variant_id", "version", "version_codename", "version_id"};
  private static final Pattern VERSION = Pattern.compile("^[0-9]+(\\.[0-9]+)?");

  private final List<Path> files;
  private String cachedKey;
  private Map<String, String> cached;

  OsReleaseCollector(Path rootFs) {
    requireNonNull(rootFs, "rootFs");
    this.files = List.of(rootFs.resolve("etc/os-release"), rootFs.resolve("usr/lib/os-release"));
  }

  @Override
  public String name() {
    return "os";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    Map<String, String> os = read();
    String[] info = new String[INFO_LABELS.length * 2];
    for (int i = 0; i < INFO_LABELS.length; i++) {
      info[2 * i] = INFO_LABELS[i];
      info[2 * i + 1] = os.getOrDefault(INFO_LABELS[i].toUpperCase(java.util.Locale.ROOT), "");
    }
    sink.add("node_os_info", 1, info);
    Matcher m = VERSION.matcher(os.getOrDefault("VERSION_ID", ""));
    if (m.find()) {
      sink.add("node_os_version", Double.parseDouble(m.group()), "id", os.getOrDefault("ID", ""),
          "id_like", os.getOrDefault("ID_LIKE", ""), "name", os.getOrDefault("NAME", ""));
    }
  }

  private Map<String, String> read() throws IOException {
    IOException last = null;
    for (Path f : files) {
      try {
        var attrs = java.nio.file.Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
        String key = f + ":" + attrs.size() + ":" + attrs.lastModifiedTime();
        if (!key.equals(cachedKey)) {
          cached = parse(ProcFiles.lines(f));
          cachedKey = key;
        }
        return cached;
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  /** os-release(5): KEY=value, value optionally in single or double quotes with backslash escapes. */
  static Map<String, String> parse(List<String> lines) {
    Map<String, String> out = new HashMap<>();
    for (String line : lines) {
      String t = line.strip();
      int eq = t.indexOf('=');
      if (t.isEmpty() || t.startsWith("#") || eq <= 0) {
        continue;
      }
      String v = t.substring(eq + 1);
      if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
        v = v.substring(1, v.length() - 1).replaceAll("\\\\(.)", "$1");
      }
      out.put(t.substring(0, eq), v);
    }
    return out;
  }
}
