package syslens.report;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import syslens.storage.Queryable;

/**
 * Runs reports and keeps them: computes, writes the document in its format and the preview
 * atomically, lists the entry, applies retention. At most {@code maxConcurrent} reports run at
 * once (each reads a period of history); more are refused, not queued.
 */
public final class ReportService {
  public static final Set<String> FORMATS = Set.of("pdf", "csv", "xlsx");

  private final Reports reports;
  private final ReportStore store;
  private final Path fontOverride;
  private final Semaphore running;
  private final java.security.SecureRandom random = new java.security.SecureRandom();

  private ReportService(Builder b) throws IOException {
    this.reports = b.reports;
    this.store = new ReportStore(b.dir, b.clock, b.maxReports, b.maxAge);
    this.fontOverride = b.font;
    this.running = new Semaphore(b.maxConcurrent);
  }

  public static Builder builder(Reports reports, Path dir) {
    return new Builder(requireNonNull(reports, "reports"), requireNonNull(dir, "dir"));
  }

  /** Thrown when {@code maxConcurrent} reports are already running. */
  public static final class BusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BusyException(String m) {
      super(m);
    }
  }

  /**
   * Computes {@code request} over {@code visible} (the requester's view of storage) and stores
   * it in {@code format} as {@code owner}'s.
   */
  ReportStore.Entry run(ReportRequest request, String format, String owner, Queryable visible) throws IOException {
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException("format: \"" + format + "\" (expected: pdf, csv or xlsx)");
    }
    Path font = format.equals("pdf") ? Fonts.locate(fontOverride) : null;
    if (!running.tryAcquire()) {
      throw new BusyException("reports: " + "all report slots are busy (expected: retry when a running report ends)");
    }
    try {
      return store(reports.compute(request, visible), format, font, owner, List.of(), null);
    } finally {
      running.release();
    }
  }

  /**
   * Computes {@code request} over {@code visible} in one of the report slots, waiting for one
   * (scheduled runs queue rather than fail).
   */
  Report computeQueued(ReportRequest request, Queryable visible) throws InterruptedException {
    running.acquire();
    try {
      return reports.compute(request, visible);
    } finally {
      running.release();
    }
  }

  /** The PDF font, or an {@link IllegalStateException} naming the package to install. */
  Path pdfFont() {
    return Fonts.locate(fontOverride);
  }

  /**
   * Writes {@code r} in {@code format} and its preview, and lists it as {@code owner}'s; {@code
   * readers} (users it was sent to) may read it too; {@code schedule} is the schedule that ran it.
   */
  ReportStore.Entry store(Report r, String format, Path font, String owner, List<String> readers, String schedule)
      throws IOException {
    ReportRequest request = r.request();
    String id = HexFormat.of().formatHex(bytes());
    int[] pages = {0};
    store.writeFile(id + "." + format, out -> {
      switch (format) {
        case "pdf" -> pages[0] = PdfWriter.write(r, font, out);
        case "csv" -> CsvWriter.write(r, out);
        default -> XlsxWriter.write(r, out);
      }
    });
    store.writeFile(id + ".preview.json", out -> ReportStore.JSON.writeValue(out, JsonWriter.toJson(r)));
    long size = java.nio.file.Files.size(store.path(id + "." + format));
    ReportStore.Entry e = new ReportStore.Entry(id, owner, String.join(",", request.kinds().stream().map(Kind::key)
        .toList()), request.scope().describe(), request.start().toString(), request.end().toString(),
        request.language(), format, r.generatedAt().toString(), size, pages[0], r.nodes(), r.empty(),
        List.copyOf(readers), schedule);
    store.commit(e);
    return e;
  }

  private byte[] bytes() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return b;
  }

  /** The reports {@code user} owns or was sent, newest first. */
  List<ReportStore.Entry> list(String user) {
    return store.list().stream().filter(e -> e.readableBy(user)).toList();
  }

  /** Report {@code id} when {@code user} owns it or was sent it. */
  Optional<ReportStore.Entry> get(String id, String user) {
    return store.get(id).filter(e -> e.readableBy(user));
  }

  ReportStore store() {
    return store;
  }

  public static final class Builder {
    private final Reports reports;
    private final Path dir;
    private Clock clock = Clock.systemUTC();
    private int maxReports = 1000;
    private Duration maxAge = Duration.ofDays(365);
    private int maxConcurrent = 2;
    private Path font;

    private Builder(Reports reports, Path dir) {
      this.reports = reports;
      this.dir = dir;
    }

    public Builder clock(Clock c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    /** Retention: at most {@code n} reports and none older than {@code age}. */
    public Builder retention(int n, Duration age) {
      this.maxReports = n;
      this.maxAge = requireNonNull(age, "age");
      return this;
    }

    public Builder maxConcurrent(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConcurrent: " + n + " (expected: > 0)");
      }
      this.maxConcurrent = n;
      return this;
    }

    /** The CJK TrueType font for PDFs (default: found among {@link Fonts#CANDIDATES}). */
    public Builder font(Path p) {
      this.font = p;
      return this;
    }

    public ReportService build() throws IOException {
      return new ReportService(this);
    }
  }
}
