package syslens.storage;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable set of labels sorted by name, names unique: the identity of a series. The metric
 * name is the label {@value #METRIC_NAME}. Labels with empty values are dropped, as in Prometheus
 * (an empty value means "label absent").
 */
public final class Labels implements Iterable<Label>, Comparable<Labels> {
  public static final String METRIC_NAME = "__name__";
  private static final Labels EMPTY = new Labels(new String[0]);

  /** name0, value0, name1, value1, ... sorted by name. */
  private final String[] kv;
  private final int hash;
  /**
   * What a storage engine resolved these labels to (its series), remembered on this instance so
   * that appending again with the same instance skips the series lookup; not part of the value.
   */
  private volatile Object storageMemo;

  private Labels(String[] kv) {
    this.kv = kv;
    this.hash = Arrays.hashCode(kv);
  }

  /**
   * The object a storage engine remembered for this instance with {@link #storageMemo(Object)},
   * or null. Engines check that it is theirs and still valid: it is a hint, never the truth.
   */
  public Object storageMemo() {
    return storageMemo;
  }

  /** Remembers what a storage engine resolved this instance to (see {@link #storageMemo()}). */
  public void storageMemo(Object memo) {
    this.storageMemo = memo;
  }

  public static Labels empty() {
    return EMPTY;
  }

  /** {@code Labels.of("__name__", "up", "job", "node")}. */
  public static Labels of(String... nameValues) {
    requireNonNull(nameValues, "nameValues");
    if (nameValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "nameValues: " + nameValues.length + " strings (expected: an even number)");
    }
    Builder b = builder();
    for (int i = 0; i < nameValues.length; i += 2) {
      b.set(nameValues[i], nameValues[i + 1]);
    }
    return b.build();
  }

  public static Labels fromMap(Map<String, String> map) {
    Builder b = builder();
    map.forEach(b::set);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Labels from name/value pairs already sorted by name, without a builder (decoders of stored
   * series use it: the strings are taken as they are, e.g. shared instances of a symbol table).
   *
   * @throws IllegalArgumentException when the names are not strictly increasing, or a value is
   *     empty, naming the pair
   */
  public static Labels ofSorted(String... nameValues) {
    requireNonNull(nameValues, "nameValues");
    if (nameValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "nameValues: " + nameValues.length + " strings (expected: an even number)");
    }
    for (int i = 0; i < nameValues.length; i += 2) {
      requireNonNull(nameValues[i], "name");
      if (requireNonNull(nameValues[i + 1], "value").isEmpty()) {
        throw new IllegalArgumentException("label " + nameValues[i] + ": empty value (expected: a non-empty value)");
      }
      if (i > 0 && nameValues[i - 2].compareTo(nameValues[i]) >= 0) {
        throw new IllegalArgumentException("label names " + nameValues[i - 2] + ", " + nameValues[i]
            + " (expected: strictly increasing)");
      }
    }
    return nameValues.length == 0 ? EMPTY : new Labels(nameValues.clone());
  }

  /** A builder starting from these labels. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (int i = 0; i < kv.length; i += 2) {
      b.set(kv[i], kv[i + 1]);
    }
    return b;
  }

  /**
   * The same labels with every name and value interned ({@link String#intern()}): storage keeps
   * one copy of each distinct string however many series carry it, and lookups of equal labels
   * built the same way compare strings by identity. Meant for series creation, not per sample.
   * Labels whose strings are all interned already are returned as they are (no second copy).
   */
  public Labels interned() {
    String[] out = null;
    for (int i = 0; i < kv.length; i++) {
      String s = kv[i].intern();
      if (s != kv[i] && out == null) {
        out = kv.clone();
      }
      if (out != null) {
        out[i] = s;
      }
    }
    return out == null ? this : new Labels(out);
  }

  public int size() {
    return kv.length / 2;
  }

  public boolean isEmpty() {
    return kv.length == 0;
  }

  public String name(int i) {
    return kv[2 * i];
  }

  public String value(int i) {
    return kv[2 * i + 1];
  }

  /** The value of label {@code name}, or "" when absent (Prometheus semantics). */
  public String get(String name) {
    int lo = 0;
    int hi = size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = kv[2 * mid].compareTo(name);
      if (c == 0) {
        return kv[2 * mid + 1];
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return "";
  }

  public boolean has(String name) {
    return !get(name).isEmpty();
  }

  /** The metric name, or "" when there is none. */
  public String metricName() {
    return get(METRIC_NAME);
  }

  /** These labels without the metric name. */
  public Labels withoutMetricName() {
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i].equals(METRIC_NAME)) {
        return without(i);
      }
    }
    return this;
  }

  /** A copy without the pair at {@code i} (names stay sorted, values non-empty). */
  private Labels without(int i) {
    if (kv.length == 2) {
      return EMPTY;
    }
    String[] out = new String[kv.length - 2];
    System.arraycopy(kv, 0, out, 0, i);
    System.arraycopy(kv, i + 2, out, i, kv.length - i - 2);
    return new Labels(out);
  }

  /** Only the named labels. */
  public Labels keep(Collection<String> names) {
    return filter(names, true);
  }

  /** All labels but the named ones. */
  public Labels drop(Collection<String> names) {
    return filter(names, false);
  }

  /**
   * The pairs whose name is (or is not) in {@code names}: already sorted and valid, so copied
   * without a builder.
   */
  private Labels filter(Collection<String> names, boolean in) {
    String[] out = null;
    int n = 0;
    for (int i = 0; i < kv.length; i += 2) {
      if (names.contains(kv[i]) == in) {
        if (out == null) {
          out = new String[kv.length];
        }
        out[n++] = kv[i];
        out[n++] = kv[i + 1];
      }
    }
    if (n == kv.length) {
      return this;
    }
    return n == 0 ? EMPTY : new Labels(Arrays.copyOf(out, n));
  }

  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < kv.length; i += 2) {
      action.accept(kv[i], kv[i + 1]);
    }
  }

  public Map<String, String> toMap() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    forEach(m::put);
    return m;
  }

  @Override
  public Iterator<Label> iterator() {
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < kv.length;
      }

      @Override
      public Label next() {
        if (i >= kv.length) {
          throw new NoSuchElementException();
        }
        Label l = new Label(kv[i], kv[i + 1]);
        i += 2;
        return l;
      }
    };
  }

  @Override
  public int compareTo(Labels o) {
    if (o == this) {
      return 0;
    }
    int n = Math.min(kv.length, o.kv.length);
    for (int i = 0; i < n; i++) {
      String a = kv[i];
      String b = o.kv[i];
      if (a == b) {
        continue; // label names and shared values are often the same instance: no char compare
      }
      int c = a.compareTo(b);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(kv.length, o.kv.length);
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof Labels other && hash == other.hash && Arrays.equals(kv, other.kv);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Prometheus text form: {@code up{job="node"}} or {@code {a="b"}} without a name. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    String name = metricName();
    sb.append(name).append('{');
    boolean first = true;
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i].equals(METRIC_NAME)) {
        continue;
      }
      if (!first) {
        sb.append(", ");
      }
      first = false;
      sb.append(kv[i]).append("=\"").append(escape(kv[i + 1])).append('"');
    }
    return sb.append('}').toString();
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** Mutable, last {@link #set} of a name wins. */
  public static final class Builder {
    private final java.util.TreeMap<String, String> map = new java.util.TreeMap<>();

    private Builder() {}

    public Builder set(String name, String value) {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
      if (value.isEmpty()) {
        map.remove(name);
      } else {
        map.put(name, value);
      }
      return this;
    }

    public Builder remove(String name) {
      map.remove(name);
      return this;
    }

    public Builder removeAll(Set<String> names) {
      map.keySet().removeAll(names);
      return this;
    }

    public String get(String name) {
      return map.getOrDefault(name, "");
    }

    public Labels build() {
      if (map.isEmpty()) {
        return EMPTY;
      }
      List<String> out = new ArrayList<>(map.size() * 2);
      map.forEach((k, v) -> {
        out.add(k);
        out.add(v);
      });
      return new Labels(out.toArray(new String[0]));
    }
  }
}
