package syslens.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.math.BigInteger;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class NodeKeyManagerTest {

  @Test
  void offersTheNodeCertificateOnlyForItsKeyType() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    KeyPair pair = g.generateKeyPair();
    X500Name name = new X500Name("CN=node-1");
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
        new JcaX509v3CertificateBuilder(name, BigInteger.ONE, new Date(), new Date(), name,
            pair.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    NodeKeyManager km = new NodeKeyManager(pair.getPrivate(), cert);

    assertThat(km.chooseClientAlias(new String[] {"RSA", "EC"}, null, null)).isEqualTo("node");
    assertThat(km.chooseEngineClientAlias(new String[] {"EC"}, null, null)).isEqualTo("node");
    assertThat(km.chooseClientAlias(new String[] {"RSA", "RSASSA-PSS"}, null, null))
        .as("a server that asks for another key type gets no certificate").isNull();
    assertThat(km.getCertificateChain("node")).containsExactly(cert);
    assertThat(km.getPrivateKey("node")).isSameAs(pair.getPrivate());
    assertThat(km.getPrivateKey("other")).isNull();
    assertThat(km.chooseServerAlias("EC", null, null)).isNull();
  }
}
