package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The temperature part of node_exporter's {@code hwmon} collector: {@code /sys/class/hwmon/*}
 * {@code temp*_input}, {@code _max}, {@code _crit} in degrees Celsius with node_exporter's
 * {@code chip} name (from the device path, else the {@code name} file, else {@code hwmonN}) and
 * {@code sensor} ({@code temp1}); {@code node_hwmon_chip_names} maps chips to their names. A
 * machine without hwmon (containers, most VMs) gives no series and no error.
 */
final class HwmonCollector implements Collector {

  private final Path dir;

  HwmonCollector(Path sysRoot) {
    this.dir = requireNonNull(sysRoot, "sysRoot").resolve("class/hwmon");
  }

  @Override
  public String name() {
    return "hwmon";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> chips = Files.newDirectoryStream(dir, "hwmon*")) {
      for (Path hwmon : chips) {
        String chip = chipName(hwmon);
        String name = readOrNull(hwmon.resolve("name"));
        if (name != null) {
          sink.add("node_hwmon_chip_names", 1, "chip", chip, "chip_name", clean(name));
        }
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(hwmon, "temp*_input")) {
          for (Path input : temps) {
            String file = input.getFileName().toString();
            String sensor = file.substring(0, file.length() - "_input".length());
            emit(sink, "node_hwmon_temp_celsius", input, chip, sensor);
            emit(sink, "node_hwmon_temp_max_celsius", hwmon.resolve(sensor + "_max"), chip, sensor);
            emit(sink, "node_hwmon_temp_crit_celsius", hwmon.resolve(sensor + "_crit"), chip, sensor);
          }
        }
      }
    }
  }

  private static void emit(MetricSink sink, String metric, Path file, String chip, String sensor) {
    String v = readOrNull(file);
    if (v != null) {
      try {
        sink.add(metric, Double.parseDouble(v) / 1000, "chip", chip, "sensor", sensor);
      } catch (NumberFormatException e) {
        // a sensor that answers garbage is left out, as node_exporter does
      }
    }
  }

  /** node_exporter's hwmonName: device type and name from the device link, else name, else hwmonN. */
  static String chipName(Path hwmon) throws IOException {
    Path device = hwmon.resolve("device");
    if (Files.exists(device)) {
      Path real = device.toRealPath();
      String devName = clean(real.getFileName().toString());
      String devType = real.getParent() == null || real.getParent().getFileName() == null
          ? "" : clean(real.getParent().getFileName().toString());
      if (!devType.isEmpty() && !devName.isEmpty()) {
        return devType + "_" + devName;
      }
      if (!devName.isEmpty()) {
        return devName;
      }
    }
    String name = readOrNull(hwmon.resolve("name"));
    if (name != null && !clean(name).isEmpty()) {
      return clean(name);
    }
    return clean(hwmon.toRealPath().getFileName().toString());
  }

  /** Lower case, anything but [a-z0-9:_] to '_', '_' trimmed at both ends. */
  static String clean(String s) {
    String r = s.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9:_]", "_");
    int a = 0;
    int b = r.length();
    while (a < b && r.charAt(a) == '_') {
      a++;
    }
    while (b > a && r.charAt(b - 1) == '_') {
      b--;
    }
    return r.substring(a, b);
  }

  private static String readOrNull(Path file) {
    try {
      return ProcFiles.text(file).strip();
    } catch (IOException e) {
      return null;
    }
  }
}
