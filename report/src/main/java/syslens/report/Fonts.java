package syslens.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the TrueType font the PDF embeds. PDFBox embeds TrueType outlines ({@code glyf}) as
 * subsetted Type 0 fonts; it cannot subset CFF-flavoured OpenType, which rules out Noto CJK. Droid
 * Sans Fallback (Debian: fonts-droid-fallback) covers Latin, Simplified Chinese and Japanese in
 * in one file but has no Latin glyphs, so Latin text is set in DejaVu Sans (fonts-dejavu-core)
 * when present; WenQuanYi Zen Hei (fonts-wqy-zenhei, Latin included) is the second choice.
 */
public final class Fonts {
  public static final List<Path> CANDIDATES = List.of(
      Path.of("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
      Path.of("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"));

  /** Latin text, set before the CJK font is tried. */
  public static final Path LATIN = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");

  private Fonts() {}

  /** The Latin font when installed, else null (the CJK font then sets what it can). */
  public static Path latin() {
    return Files.isReadable(LATIN) ? LATIN : null;
  }

  /**
   * The configured font when {@code configured} is not null, else the first candidate present.
   *
   * @throws IllegalStateException naming the Debian package to install
   */
  public static Path locate(Path configured) {
    if (configured != null) {
      if (!Files.isReadable(configured)) {
        throw new IllegalStateException("report font " + configured + " is not a readable file (expected: a TrueType "
            + "font with CJK glyphs, e.g. " + CANDIDATES.get(0) + " from the Debian package fonts-droid-fallback)");
      }
      return configured;
    }
    for (Path p : CANDIDATES) {
      if (Files.isReadable(p)) {
        return p;
      }
    }
    throw new IllegalStateException("no CJK TrueType font for PDF reports: none of " + CANDIDATES + " exists "
        + "(expected: install the Debian package fonts-droid-fallback, or fonts-wqy-zenhei, or set the report font path)");
  }
}
