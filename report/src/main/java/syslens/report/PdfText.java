package syslens.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType0Font;

/**
 * Text on the current page. Each character is set in the first font that has a glyph for it
 * (a Latin font first, the CJK font second: Droid Sans Fallback has no Latin); a character no
 * font has prints as '?'.
 */
final class PdfText {
  private final List<PDType0Font> fonts;
  private final Map<Integer, Integer> fontOf = new HashMap<>();
  /** Advance width (1/1000 em) per code point as it prints ('?' for one no font has); tables measure every cell. */
  private final Map<Integer, Float> advance = new HashMap<>();
  private PDPageContentStream stream;

  PdfText(List<PDType0Font> fonts) {
    this.fonts = List.copyOf(fonts);
  }

  PDPageContentStream stream() {
    return stream;
  }

  void stream(PDPageContentStream s) {
    this.stream = s;
  }

  private int font(int cp) {
    return fontOf.computeIfAbsent(cp, c -> {
      if (Character.isISOControl(c)) {
        return -1;
      }
      for (int i = 0; i < fonts.size(); i++) {
        try {
          fonts.get(i).encode(new String(Character.toChars(c)));
          return i;
        } catch (IOException | RuntimeException e) {
          // not in this font: try the next
        }
      }
      return -1;
    });
  }

  /** Runs of {@code s} by font: [font index, text]. */
  private List<Object[]> runs(String s) {
    List<Object[]> out = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    int current = -2;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      int f = font(cp);
      String ch = new String(Character.toChars(cp));
      if (f < 0) {
        f = font('?');
        ch = "?";
      }
      if (f < 0) {
        continue;
      }
      if (f != current && b.length() > 0) {
        out.add(new Object[] {current, b.toString()});
        b.setLength(0);
      }
      current = f;
      b.append(ch);
    }
    if (b.length() > 0) {
      out.add(new Object[] {current, b.toString()});
    }
    return out;
  }

  float width(String s, float size) throws IOException {
    float w = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      Float a = advance.get(cp);
      if (a == null) {
        a = 0f;
        for (Object[] run : runs(new String(Character.toChars(cp)))) {
          a += fonts.get((Integer) run[0]).getStringWidth((String) run[1]);
        }
        advance.put(cp, a);
      }
      w += a;
    }
    return w / 1000f * size;
  }

  void show(String s, float x, float y, float size) throws IOException {
    List<Object[]> runs = runs(s);
    if (runs.isEmpty()) {
      return;
    }
    stream.beginText();
    stream.newLineAtOffset(x, y);
    for (Object[] run : runs) {
      stream.setFont(fonts.get((Integer) run[0]), size);
      stream.showText((String) run[1]);
    }
    stream.endText();
  }

  /**
   * Several strings on one baseline (a table row) in one text object: the font is set only when
   * it changes, each string placed at its {@code xs} (a page holds thousands of cells).
   */
  void line(List<String> strings, float[] xs, float y, float size) throws IOException {
    stream.beginText();
    float lineX = 0;
    float lineY = 0;
    int font = -1;
    for (int k = 0; k < strings.size(); k++) {
      List<Object[]> runs = runs(strings.get(k));
      if (runs.isEmpty()) {
        continue;
      }
      stream.newLineAtOffset(xs[k] - lineX, y - lineY);
      lineX = xs[k];
      lineY = y;
      for (Object[] run : runs) {
        if ((Integer) run[0] != font) {
          font = (Integer) run[0];
          stream.setFont(fonts.get(font), size);
        }
        stream.showText((String) run[1]);
      }
    }
    stream.endText();
  }

  /** {@code s} cut (with an ellipsis) to fit {@code max} points. */
  String fit(String s, float size, float max) throws IOException {
    if (width(s, size) <= max) {
      return s;
    }
    int n = s.length();
    while (n > 1 && width(s.substring(0, n) + "…", size) > max) {
      n--;
    }
    return s.substring(0, n) + "…";
  }

  /** {@code s} broken into lines of at most {@code max} points, at spaces where possible. */
  List<String> wrap(String s, float size, float max) throws IOException {
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < s.length()) {
      int end = start;
      int lastSpace = -1;
      float w = 0;
      while (end < s.length()) {
        float cw = width(s.substring(end, end + 1), size);
        if (w + cw > max) {
          break;
        }
        w += cw;
        if (s.charAt(end) == ' ') {
          lastSpace = end;
        }
        end++;
      }
      if (end < s.length() && lastSpace > start) {
        end = lastSpace + 1;
      }
      end = Math.max(end, start + 1);
      out.add(s.substring(start, end).strip());
      start = end;
    }
    return out;
  }
}
