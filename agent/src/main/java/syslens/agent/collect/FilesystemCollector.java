package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * node_exporter's {@code filesystem} collector: mounts from {@code /proc/1/mounts} (falling back
 * to {@code /proc/mounts}), minus node_exporter 1.5's default ignored filesystem types and mount
 * points, with sizes from statvfs. Each statvfs has a deadline ({@link TimedStatfs}): a mount
 * that does not answer in time (a hanging NFS server) gets {@code node_filesystem_device_error 1}
 * and {@code syslens_filesystem_mount_timeout 1} (0 for every answering mount) and is not asked
 * again until its hanging call returns, so a round never waits on it twice.
 */
final class FilesystemCollector implements Collector {

  static final Pattern IGNORED_FS_TYPES = Pattern.compile(
      "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs"
          + "|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs"
          + "|squashfs|sysfs|tracefs)$");
  static final Pattern IGNORED_MOUNT_POINTS = Pattern.compile(
      "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)");

  static final Duration DEFAULT_MOUNT_TIMEOUT = Duration.ofSeconds(5);

  private final Path procRoot;
  private final TimedStatfs statfs;

  FilesystemCollector(Path procRoot, FsStats.Reader reader, Duration mountTimeout) {
    this.procRoot = requireNonNull(procRoot, "procRoot");
    this.statfs = new TimedStatfs(reader, mountTimeout);
  }

  @Override
  public String name() {
    return "filesystem";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    Path mounts = procRoot.resolve("1/mounts");
    List<String> lines;
    try {
      lines = ProcFiles.lines(mounts);
    } catch (IOException e) {
      lines = ProcFiles.lines(procRoot.resolve("mounts"));
    }
    Set<String> seen = new HashSet<>();
    for (String line : lines) {
      String[] f = ProcFiles.fields(line);
      if (f.length < 4) {
        continue;
      }
      String device = ProcFiles.unescapeOctal(f[0]);
      String mountpoint = ProcFiles.unescapeOctal(f[1]);
      String fstype = f[2];
      String options = f[3];
      if (IGNORED_MOUNT_POINTS.matcher(mountpoint).find()
          || IGNORED_FS_TYPES.matcher(fstype).find()
          || !seen.add(device + '\0' + mountpoint + '\0' + fstype + '\0' + options)) {
        continue;
      }
      String[] labels = {"device", device, "fstype", fstype, "mountpoint", mountpoint};
      TimedStatfs.Result r;
      try {
        r = statfs.read(mountpoint);
      } catch (IOException | RuntimeException e) {
        sink.add("node_filesystem_device_error", 1, labels);
        sink.add("syslens_filesystem_mount_timeout", 0, labels);
        continue;
      }
      if (!(r instanceof TimedStatfs.Ok ok)) {
        sink.add("node_filesystem_device_error", 1, labels);
        sink.add("syslens_filesystem_mount_timeout", 1, labels);
        continue;
      }
      FsStats s = ok.stats();
      sink.add("node_filesystem_device_error", 0, labels);
      sink.add("syslens_filesystem_mount_timeout", 0, labels);
      sink.add("node_filesystem_readonly", isReadOnly(options) ? 1 : 0, labels);
      sink.add("node_filesystem_size_bytes", s.sizeBytes(), labels);
      sink.add("node_filesystem_free_bytes", s.freeBytes(), labels);
      sink.add("node_filesystem_avail_bytes", s.availBytes(), labels);
      if (s.files() >= 0) {
        sink.add("node_filesystem_files", s.files(), labels);
        sink.add("node_filesystem_files_free", s.filesFree(), labels);
      }
    }
  }

  private static boolean isReadOnly(String options) {
    for (String o : options.split(",")) {
      if (o.equals("ro")) {
        return true;
      }
    }
    return false;
  }

  /** Sizes through java.nio (no inode counts); used when native statvfs is not available. */
  static FsStats readWithFileStore(String mountpoint) throws IOException {
    var store = Files.getFileStore(Path.of(mountpoint));
    return new FsStats(store.getTotalSpace(), store.getUnallocatedSpace(), store.getUsableSpace(),
        -1, -1);
  }
}
