package syslens.report;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/** The report texts in one language: {@code syslens/report/messages*.properties} (UTF-8). */
final class Messages {
  private final ResourceBundle bundle;
  private final Locale locale;

  private Messages(Locale locale) {
    this.locale = locale;
    this.bundle = ResourceBundle.getBundle("syslens.report.messages", locale,
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
  }

  /** Messages for en, zh-CN or ja-JP. */
  static Messages of(String language) {
    return new Messages(Locale.forLanguageTag(language));
  }

  Locale locale() {
    return locale;
  }

  /** The text of {@code key}; a key with arguments after '|' ("note.step|1h") is formatted with them. */
  String get(String key) {
    String[] parts = key.split("\\|");
    String pattern = bundle.getString(parts[0]);
    if (parts.length == 1) {
      return pattern;
    }
    Object[] args = new Object[parts.length - 1];
    System.arraycopy(parts, 1, args, 0, args.length);
    return new MessageFormat(pattern, locale).format(args);
  }

  /** A table cell or line name: its translation when it is a message key, else itself. */
  String text(String s) {
    if (s.indexOf('.') < 0 || s.indexOf(' ') >= 0) {
      return s;
    }
    try {
      return bundle.getString(s);
    } catch (MissingResourceException e) {
      return s;
    }
  }
}
