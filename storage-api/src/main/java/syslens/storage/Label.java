package syslens.storage;

import static java.util.Objects.requireNonNull;

/** One name/value pair of a series' identity. */
public record Label(String name, String value) implements Comparable<Label> {
  public Label {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
  }

  @Override
  public int compareTo(Label o) {
    int c = name.compareTo(o.name);
    return c != 0 ? c : value.compareTo(o.value);
  }
}
