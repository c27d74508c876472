package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * node_exporter's {@code diskstats} collector over {@code /proc/diskstats}, skipping its default
 * ignored devices (partitions, ram, loop, fd).
 */
final class DiskStatsCollector implements Collector {

  static final Pattern IGNORED_DEVICES =
      Pattern.compile("^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$");
  private static final double SECTOR_BYTES = 512;

  // Field index (0-based, counting major and minor) -> metric name and scale.
  private static final Object[][] FIELDS = {
    {3, "node_disk_reads_completed_total", 1.0},
    {4, "node_disk_reads_merged_total", 1.0},
    {5, "node_disk_read_bytes_total", SECTOR_BYTES},
    {6, "node_disk_read_time_seconds_total", 0.001},
    {7, "node_disk_writes_completed_total", 1.0},
    {8, "node_disk_writes_merged_total", 1.0},
    {9, "node_disk_written_bytes_total", SECTOR_BYTES},
    {10, "node_disk_write_time_seconds_total", 0.001},
    {11, "node_disk_io_now", 1.0},
    {12, "node_disk_io_time_seconds_total", 0.001},
    {13, "node_disk_io_time_weighted_seconds_total", 0.001},
    {14, "node_disk_discards_completed_total", 1.0},
    {15, "node_disk_discards_merged_total", 1.0},
    {16, "node_disk_discarded_sectors_total", 1.0},
    {17, "node_disk_discard_time_seconds_total", 0.001},
    {18, "node_disk_flush_requests_total", 1.0},
    {19, "node_disk_flush_requests_time_seconds_total", 0.001},
  };

  private final Path diskstats;

  DiskStatsCollector(Path procRoot) {
    this.diskstats = requireNonNull(procRoot, "procRoot").resolve("diskstats");
  }

  @Override
  public String name() {
    return "diskstats";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    for (String line : ProcFiles.lines(diskstats)) {
      String[] f = ProcFiles.fields(line);
      if (f.length < 14 || IGNORED_DEVICES.matcher(f[2]).matches()) {
        continue;
      }
      for (Object[] field : FIELDS) {
        int index = (Integer) field[0];
        if (index < f.length) {
          sink.add((String) field[1], Double.parseDouble(f[index]) * (Double) field[2],
              "device", f[2]);
        }
      }
    }
  }
}
