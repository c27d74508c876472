package syslens.agent.collect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for reading /proc and /sys text files. */
final class ProcFiles {

  private ProcFiles() {}

  /**
   * The file's lines, as {@link Files#readAllLines} splits them ({@code \n}, {@code \r\n} or
   * {@code \r}; no empty last line), read with one buffer and cut from one string: no reader, no
   * decoder and no 16 KiB char buffer per file per round.
   */
  static List<String> lines(Path file) throws IOException {
    String s;
    try (var in = Files.newInputStream(file)) {
      s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> out = new ArrayList<>();
    int n = s.length();
    int start = 0;
    while (start < n) {
      int end = start;
      char c = 0;
      while (end < n && (c = s.charAt(end)) != '\n' && c != '\r') {
        end++;
      }
      out.add(s.substring(start, end));
      if (end < n && c == '\r' && end + 1 < n && s.charAt(end + 1) == '\n') {
        end++;
      }
      start = end + 1;
    }
    return out;
  }

  /**
   * The file's content without the trailing newline. Read with one large read, not
   * Files.readString: /proc/sys files report size 0, and the JDK's probing read of a size-0 file
   * followed by a read at offset 1 gets a truncated value from sysctl handlers (seen:
   * {@code file-nr} read as "3").
   */
  static String text(Path file) throws IOException {
    String s;
    try (var in = Files.newInputStream(file)) {
      s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  private static final String[] NO_FIELDS = {};

  /**
   * Splits on runs of spaces and tabs, ignoring leading/trailing whitespace: {@code
   * strip().split("[ \t]+")} by hand (String.split compiled that regex again on every call, for
   * every line of every file of every round).
   */
  static String[] fields(String line) {
    String t = line.strip();
    int n = t.length();
    if (n == 0) {
      return NO_FIELDS;
    }
    int count = 1;
    for (int i = 1; i < n; i++) {
      if (!isBlank(t.charAt(i)) && isBlank(t.charAt(i - 1))) {
        count++;
      }
    }
    String[] out = new String[count];
    int k = 0;
    int start = 0;
    for (int i = 0; i <= n; i++) {
      if (i == n || isBlank(t.charAt(i))) {
        if (start < i) {
          out[k++] = t.substring(start, i);
        }
        start = i + 1;
      }
    }
    return out;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  /** Undoes the octal escapes of /proc/mounts ({@code \040} for a space, etc.). */
  static String unescapeOctal(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1) && isOctal(s, i + 2) && isOctal(s, i + 3)) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean isOctal(String s, int i) {
    return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7';
  }
}
