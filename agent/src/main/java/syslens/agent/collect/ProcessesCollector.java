package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Processes by state (node_exporter's opt-in {@code processes} collector names:
 * {@code node_processes_state{state}}, {@code node_processes_pids}, {@code
 * node_processes_threads}, {@code node_processes_max_processes}, {@code
 * node_processes_max_threads}) and, which node_exporter lacks, the top N processes by CPU and by
 * resident memory as a bounded set of series: {@code syslens_process_top_cpu_ratio{comm,pid}}
 * (cores used over the last round: 1 is one full core) and {@code
 * syslens_process_top_resident_bytes{comm,pid}}. At most N series each per round; the CPU list
 * starts with the second round (it needs a previous reading). One read of
 * {@code /proc/PID/stat} per process per round: each process's file is kept open between rounds
 * (at most {@link #MAX_OPEN}) and read again from offset 0 (procfs regenerates it), one pread
 * instead of an open, a read and a close; a file whose process ended fails to read and is closed.
 */
final class ProcessesCollector implements Collector {

  /** USER_HZ: the unit of utime and stime in /proc/PID/stat on Linux. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final Path procRoot;
  private final long pageSize;
  private final int topN;
  private final LongSupplier nanoTime;
  private Map<Long, Long> lastTicks = new HashMap<>();
  private long lastNanos;

  ProcessesCollector(Path procRoot, long pageSize, int topN, LongSupplier nanoTime) {
    this.procRoot = requireNonNull(procRoot, "procRoot");
    if (topN < 0 || topN > 100) {
      throw new IllegalArgumentException("topN: " + topN + " (expected: 0-100)");
    }
    this.pageSize = pageSize;
    this.topN = topN;
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
  }

  @Override
  public String name() {
    return "processes";
  }

  private record Proc(long pid, String comm, String state, long threads, long ticks, long rssBytes) {}

  /** Open /proc/PID/stat files kept between rounds; beyond this many, files are opened per read. */
  static final int MAX_OPEN = 4096;

  /** Reused for every /proc/PID/stat (a few hundred bytes each): no per-process buffers. */
  private final byte[] buf = new byte[4096];
  private final ByteBuffer direct = ByteBuffer.allocateDirect(buf.length);
  /** The stat files of the processes seen last round, by directory name (pid). */
  private Map<String, FileChannel> open = new HashMap<>();
  private Map<String, FileChannel> spare = new HashMap<>();
  private boolean closed;

  /**
   * Reads a process's stat file into {@link #buf}: its length, or -1 when the process is gone. A
   * file kept from the last round that no longer reads (its process ended; the pid may be reused)
   * is closed and the path opened afresh.
   */
  private int readStat(Path dir, String pid) {
    FileChannel ch = open.remove(pid);
    int n = ch == null ? -1 : read(ch);
    if (n < 0) {
      closeQuietly(ch);
      try {
        ch = FileChannel.open(dir.resolve("stat"));
      } catch (IOException e) {
        return -1;
      }
      n = read(ch);
      if (n < 0) {
        closeQuietly(ch);
        return -1;
      }
    }
    if (spare.size() < MAX_OPEN && !closed) {
      spare.put(pid, ch);
    } else {
      closeQuietly(ch);
    }
    return n;
  }

  /** One pread from offset 0 into {@link #buf}: the length read, or -1 on an error. */
  private int read(FileChannel ch) {
    direct.clear();
    try {
      while (direct.hasRemaining() && ch.read(direct, direct.position()) > 0) {
        // procfs answers in one read; a regular file (a test fixture) may take more
      }
    } catch (IOException e) {
      return -1;
    }
    int n = direct.position();
    direct.flip().get(buf, 0, n);
    return n;
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // a procfs file: nothing was written
      }
    }
  }

  /** After a round: files of processes not seen any more are closed; the rest stay for the next. */
  private void swapOpenFiles() {
    for (FileChannel ch : open.values()) {
      closeQuietly(ch);
    }
    open.clear();
    Map<String, FileChannel> t = open;
    open = spare;
    spare = t;
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (FileChannel ch : open.values()) {
      closeQuietly(ch);
    }
    open.clear();
  }

  /**
   * Fields after the command (which may hold spaces and parentheses: the last ')' ends it):
   * state(0) ... utime(11) stime(12) ... num_threads(17) ... rss(21).
   */
  private Proc parse(String pid, int n) {
    int open = -1;
    int close = -1;
    for (int i = 0; i < n; i++) {
      if (buf[i] == '(' && open < 0) {
        open = i;
      } else if (buf[i] == ')') {
        close = i;
      }
    }
    if (open < 0 || close < open || close + 2 >= n) {
      return null;
    }
    String state = null;
    long utime = 0;
    long stime = 0;
    long threads = 0;
    long rss = 0;
    int field = 0;
    int i = close + 2;
    while (i < n && field <= 21) {
      int start = i;
      while (i < n && buf[i] != ' ' && buf[i] != '\n') {
        i++;
      }
      switch (field) {
        case 0 -> state = stateName(buf[start]);
        case 11 -> utime = number(start, i);
        case 12 -> stime = number(start, i);
        case 17 -> threads = number(start, i);
        case 21 -> rss = number(start, i);
        default -> { }
      }
      field++;
      i++;
    }
    if (field <= 21) {
      return null;
    }
    return new Proc(Long.parseLong(pid), new String(buf, open + 1, close - open - 1, StandardCharsets.UTF_8),
        state, threads, utime + stime, rss * pageSize);
  }

  private long number(int from, int to) {
    long v = 0;
    boolean neg = from < to && buf[from] == '-';
    for (int i = neg ? from + 1 : from; i < to; i++) {
      v = v * 10 + (buf[i] - '0');
    }
    return neg ? -v : v;
  }

  private static final String[] STATE_NAMES = new String[128];

  static {
    for (char c = 'A'; c <= 'z'; c++) {
      STATE_NAMES[c] = String.valueOf(c).intern();
    }
  }

  private static String stateName(byte b) {
    return b > 0 && STATE_NAMES[b] != null ? STATE_NAMES[b] : String.valueOf((char) (b & 0xff));
  }

  @Override
  public synchronized void collect(MetricSink sink) throws Exception {
    long now = nanoTime.getAsLong();
    Map<String, Integer> states = new TreeMap<>();
    List<Proc> procs = new ArrayList<>(512);
    long threads = 0;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot,
        p -> isDigits(p.getFileName().toString()))) {
      for (Path dir : dirs) {
        String pid = dir.getFileName().toString();
        int n = readStat(dir, pid);
        if (n <= 0) {
          continue; // the process ended while we looked
        }
        Proc p = parse(pid, n);
        if (p == null) {
          continue;
        }
        states.merge(p.state, 1, Integer::sum);
        threads += p.threads;
        procs.add(p);
      }
    } finally {
      swapOpenFiles();
    }
    for (String s : new String[] {"D", "I", "R", "S", "T", "Z"}) {
      states.putIfAbsent(s, 0);
    }
    states.forEach((s, n) -> sink.add("node_processes_state", n, "state", s));
    sink.add("node_processes_pids", procs.size());
    sink.add("node_processes_threads", threads);
    maxFrom("sys/kernel/pid_max", "node_processes_max_processes", sink);
    maxFrom("sys/kernel/threads-max", "node_processes_max_threads", sink);

    if (topN > 0) {
      procs.sort((a, b) -> Long.compare(b.rssBytes, a.rssBytes));
      for (int i = 0; i < Math.min(topN, procs.size()); i++) {
        Proc p = procs.get(i);
        sink.add("syslens_process_top_resident_bytes", p.rssBytes, "comm", p.comm, "pid", Long.toString(p.pid));
      }
      double seconds = (now - lastNanos) / 1e9;
      Map<Long, Long> ticks = new HashMap<>(procs.size() * 2);
      List<double[]> cpu = new ArrayList<>(procs.size());
      for (int i = 0; i < procs.size(); i++) {
        Proc p = procs.get(i);
        ticks.put(p.pid, p.ticks);
        Long before = lastTicks.get(p.pid);
        if (before != null && seconds > 0 && p.ticks >= before) {
          cpu.add(new double[] {(p.ticks - before) / TICKS_PER_SECOND / seconds, i});
        }
      }
      cpu.sort((a, b) -> Double.compare(b[0], a[0]));
      for (int i = 0; i < Math.min(topN, cpu.size()); i++) {
        Proc p = procs.get((int) cpu.get(i)[1]);
        sink.add("syslens_process_top_cpu_ratio", cpu.get(i)[0], "comm", p.comm, "pid", Long.toString(p.pid));
      }
      lastTicks = ticks;
      lastNanos = now;
    }
  }

  private void maxFrom(String file, String metric, MetricSink sink) {
    try {
      sink.add(metric, Double.parseDouble(ProcFiles.text(procRoot.resolve(file))));
    } catch (IOException | NumberFormatException e) {
      // not exposed here (e.g. a restricted container): leave the series out
    }
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
