package syslens.vsphere.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XmlTest {
  static Xml parse(String doc) throws IOException {
    return Xml.parse(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void parse_externalEntity_isNeverRead(@TempDir Path dir) throws IOException {
    Path secret = Files.writeString(dir.resolve("secret.txt"), "top-secret");
    String doc = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]><r>&x;</r>";
    try {
      assertThat(parse(doc).text()).doesNotContain("top-secret");
    } catch (IOException refused) {
      assertThat(refused).hasMessageContaining("malformed XML");
    }
  }

  @Test
  void parse_namespacedSoapWithEscapes_readsNamesTypesAndText() throws IOException {
    Xml root = parse("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>"
        + "<val xsi:type=\"ManagedObjectReference\" type=\"Folder\">a &amp; <![CDATA[b<c]]></val>"
        + "</soapenv:Body></soapenv:Envelope>");
    Xml val = root.child("Body").child("val");
    assertThat(val.xsiType()).isEqualTo("ManagedObjectReference");
    assertThat(val.text()).isEqualTo("a & b<c");
  }

  @Test
  void parse_truncatedDocument_isMalformed() {
    assertThatThrownBy(() -> parse("<a><b>")).isInstanceOf(IOException.class).hasMessageContaining("malformed XML");
  }
}
