package syslens.report;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * A computed report, independent of its format: sections of tables (text and numbers in base
 * units) with a chart each. Writers (CSV, XLSX, PDF, JSON) only lay it out.
 */
public record Report(ReportRequest request, String installation, Instant generatedAt, long stepMs,
    List<Section> sections, int nodes) {
  public Report {
    requireNonNull(request, "request");
    requireNonNull(installation, "installation");
    requireNonNull(generatedAt, "generatedAt");
    sections = List.copyOf(sections);
  }

  /** True when no section found any data in scope over the period. */
  public boolean empty() {
    return sections.stream().allMatch(s -> s.rows().isEmpty());
  }

  /** How a number is shown: ratios as %, bytes and bytes/s with binary prefixes, counts and days plain. */
  public enum Unit { TEXT, RATIO, BYTES, BYTES_PER_SECOND, COUNT, DAYS, SECONDS, HOUR }

  /** A table column: message key of its header and its unit. */
  public record Column(String key, Unit unit) {}

  /**
   * One section: its kind, title and note message keys (a note may carry arguments after a '|'), a table (cells are String for TEXT
   * columns, Double otherwise, NaN when unknown) and a chart (null when there is nothing to draw).
   */
  public record Section(Kind kind, String titleKey, List<Column> columns, List<List<Object>> rows, Chart chart,
      List<String> notes) {
    public Section {
      columns = List.copyOf(columns);
      rows = List.copyOf(rows);
      notes = List.copyOf(notes);
    }
  }

  /** A line chart: title key, unit of the y axis, lines. */
  public record Chart(String titleKey, Unit unit, List<Line> lines) {
    public Chart {
      lines = List.copyOf(lines);
    }
  }

  /** One line of a chart; {@code dashed} for fitted lines and forecasts. */
  public record Line(String name, long[] t, double[] v, boolean dashed) {}
}
