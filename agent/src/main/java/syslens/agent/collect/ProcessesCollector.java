package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
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
 * Per process and round little is allocated: /proc is listed by name (no Path per entry),
 * each process keeps its record, and its command string is made again only when its bytes change.
 */
final class ProcessesCollector implements Collector {

  /** USER_HZ: the unit of utime and stime in /proc/PID/stat on Linux. */
  private static final double TICKS_PER_SECOND = 100.0;

  /** Open /proc/PID/stat files kept between rounds; beyond this many, files are opened per read. */
  static final int MAX_OPEN = 4096;

  private final Path procRoot;
  private final File procDir;
  private final long pageSize;
  private final int topN;
  private final LongSupplier nanoTime;
  private long lastNanos;

  /**
   * A process seen in the last round, by its /proc directory name: its stat file kept open, its
   * command (a new string only when the bytes change) and its CPU ticks of the last two rounds.
   */
  private static final class Proc {
    final String pid;
    FileChannel stat;
    byte[] commBytes = new byte[0];
    String comm;
    byte state;
    long threads;
    long ticks;
    /** Ticks of the previous round; -1 for a process (or a reused pid) first read this round. */
    long lastTicks = -1;
    long rssBytes;
    int round;

    Proc(String pid) {
      this.pid = pid;
    }
  }

  /** Reused for every /proc/PID/stat (a few hundred bytes each): no per-process buffers. */
  private final KeptFiles files = new KeptFiles(4096);
  private final Map<String, Proc> procs = new HashMap<>();
  private Proc[] seen = new Proc[512];
  private final int[] stateCounts = new int[128];
  private final FileChannel[] maxFiles = new FileChannel[2];
  private int seenCount;
  private int round;
  private int openCount;
  private boolean closed;

  ProcessesCollector(Path procRoot, long pageSize, int topN, LongSupplier nanoTime) {
    this.procRoot = requireNonNull(procRoot, "procRoot");
    this.procDir = procRoot.toFile();
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

  /**
   * Reads a process's stat file into the buffer: its length, or -1 when the process is gone. A
   * file kept from the last round that no longer reads (its process ended; the pid may be reused)
   * is closed and the path opened afresh, and the process counts as new for CPU.
   */
  private int readStat(Proc p) {
    int n = files.read(p.stat);
    if (n < 0) {
      if (p.stat != null) {
        KeptFiles.close(p.stat);
        p.stat = null;
        openCount--;
        p.lastTicks = -1;
      }
      FileChannel ch = KeptFiles.open(procRoot.resolve(p.pid).resolve("stat"));
      n = files.read(ch);
      if (n < 0 || closed || openCount >= MAX_OPEN) {
        KeptFiles.close(ch);
      } else {
        p.stat = ch;
        openCount++;
      }
    }
    return n;
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Proc p : procs.values()) {
      KeptFiles.close(p.stat);
      p.stat = null;
    }
    openCount = 0;
    for (int i = 0; i < maxFiles.length; i++) {
      KeptFiles.close(maxFiles[i]);
      maxFiles[i] = null;
    }
  }

  /**
   * Fields after the command (which may hold spaces and parentheses: the last ')' ends it):
   * state(0) ... utime(11) stime(12) ... num_threads(17) ... rss(21). False when the text does not
   * have them.
   */
  private boolean parse(Proc p, int n) {
    byte[] buf = files.buf;
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
      return false;
    }
    byte state = 0;
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
        case 0 -> state = buf[start];
        case 11 -> utime = number(buf, start, i);
        case 12 -> stime = number(buf, start, i);
        case 17 -> threads = number(buf, start, i);
        case 21 -> rss = number(buf, start, i);
        default -> { }
      }
      field++;
      i++;
    }
    if (field <= 21) {
      return false;
    }
    if (!Arrays.equals(p.commBytes, 0, p.commBytes.length, buf, open + 1, close)) {
      p.commBytes = Arrays.copyOfRange(buf, open + 1, close);
      p.comm = new String(p.commBytes, StandardCharsets.UTF_8);
    }
    p.state = state;
    p.threads = threads;
    p.ticks = utime + stime;
    p.rssBytes = rss * pageSize;
    return true;
  }

  private static long number(byte[] buf, int from, int to) {
    long v = 0;
    boolean neg = from < to && buf[from] == '-';
    for (int i = neg ? from + 1 : from; i < to; i++) {
      v = v * 10 + (buf[i] - '0');
    }
    return neg ? -v : v;
  }

  /**
   * One /proc entry: a process's stat read and parsed into its record (kept from the last round or
   * new), counted by state and listed for the top N; null for an entry that is not a process or a
   * process that ended while we looked. (The per-process work is in a method of its own, so that
   * the JIT compiles it after a round or two: the loop that calls it runs once per round.)
   */
  private Proc readProc(String name) {
    if (!isDigits(name)) {
      return null;
    }
    Proc p = procs.get(name);
    if (p == null) {
      p = new Proc(name);
      procs.put(name, p);
    }
    int n = readStat(p);
    if (n <= 0 || !parse(p, n)) {
      return null;
    }
    p.round = round;
    stateCounts[p.state & 0x7f]++;
    if (seenCount == seen.length) {
      seen = Arrays.copyOf(seen, seenCount * 2);
    }
    seen[seenCount++] = p;
    return p;
  }

  /** True for a process not seen this round; its file is closed. */
  private boolean gone(Proc p) {
    if (p.round == round) {
      return false;
    }
    if (p.stat != null) {
      KeptFiles.close(p.stat);
      p.stat = null;
      openCount--;
    }
    return true;
  }

  /** State letters always reported, as node_exporter does (with 0 when no process is in them). */
  private static final String STATES_ALWAYS = "DIRSTZ";

  @Override
  public synchronized void collect(MetricSink sink) throws Exception {
    long now = nanoTime.getAsLong();
    // File.list: the names only (one native call), no Path per /proc entry.
    String[] names = procDir.list();
    if (names == null) {
      throw new IOException("cannot list " + procRoot);
    }
    ++round;
    Arrays.fill(stateCounts, 0);
    seenCount = 0;
    long threads = 0;
    for (String name : names) {
      Proc p = readProc(name);
      if (p != null) {
        threads += p.threads;
      }
    }
    int count = seenCount;
    // Processes not seen this round: their files are closed, their ticks forgotten.
    procs.values().removeIf(this::gone);
    for (int c = 1; c < stateCounts.length; c++) {
      if (stateCounts[c] > 0 || STATES_ALWAYS.indexOf(c) >= 0) {
        sink.add("node_processes_state", stateCounts[c], "state", STATE_NAMES[c]);
      }
    }
    sink.add("node_processes_pids", count);
    sink.add("node_processes_threads", threads);
    maxFrom(0, "sys/kernel/pid_max", "node_processes_max_processes", sink);
    maxFrom(1, "sys/kernel/threads-max", "node_processes_max_threads", sink);

    if (topN > 0) {
      Proc[] byRss = Arrays.copyOf(seen, count);
      Arrays.sort(byRss, (a, b) -> Long.compare(b.rssBytes, a.rssBytes));
      for (int i = 0; i < Math.min(topN, count); i++) {
        Proc p = byRss[i];
        sink.add("syslens_process_top_resident_bytes", p.rssBytes, "comm", p.comm, "pid", p.pid);
      }
      double seconds = (now - lastNanos) / 1e9;
      int withCpu = 0;
      for (int i = 0; i < count; i++) {
        Proc p = seen[i];
        if (p.lastTicks >= 0 && seconds > 0 && p.ticks >= p.lastTicks) {
          byRss[withCpu++] = p;
        }
      }
      Arrays.sort(byRss, 0, withCpu, (a, b) -> Long.compare(b.ticks - b.lastTicks, a.ticks - a.lastTicks));
      for (int i = 0; i < Math.min(topN, withCpu); i++) {
        Proc p = byRss[i];
        sink.add("syslens_process_top_cpu_ratio", (p.ticks - p.lastTicks) / TICKS_PER_SECOND / seconds,
            "comm", p.comm, "pid", p.pid);
      }
      lastNanos = now;
    }
    for (int i = 0; i < count; i++) {
      seen[i].lastTicks = seen[i].ticks;
      seen[i] = null;
    }
  }

  private static final String[] STATE_NAMES = new String[128];

  static {
    for (int c = 1; c < 128; c++) {
      STATE_NAMES[c] = String.valueOf((char) c).intern();
    }
  }

  /** pid_max and threads-max, kept open as the stat files are (a sysctl file regenerates on pread at 0). */
  private void maxFrom(int slot, String file, String metric, MetricSink sink) {
    if (maxFiles[slot] == null && !closed) {
      maxFiles[slot] = KeptFiles.open(procRoot.resolve(file));
    }
    FileChannel ch = closed ? KeptFiles.open(procRoot.resolve(file)) : maxFiles[slot];
    int n = files.read(ch);
    if (closed) {
      KeptFiles.close(ch);
    }
    long v = n > 0 ? files.decimal(n, -1) : -1;
    if (v >= 0) {
      sink.add(metric, v);
    } // else not exposed here (e.g. a restricted container): leave the series out
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
