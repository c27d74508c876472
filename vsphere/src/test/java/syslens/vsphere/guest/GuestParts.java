package syslens.vsphere.guest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import syslens.storage.AppendStatus;
import syslens.vsphere.CredentialCipher;
import syslens.vsphere.SampleSink;

/** In-memory stand-ins for what the composition root provides; the server's tests cover the real ones. */
final class GuestParts {
  private GuestParts() {}

  static final class Repository implements GuestRepository {
    final Map<String, GuestCredential> credentials = new ConcurrentHashMap<>();
    final Map<String, String> keys = new ConcurrentHashMap<>();

    @Override
    public List<GuestCredential> list() {
      return List.copyOf(credentials.values());
    }

    @Override
    public void save(GuestCredential c) {
      credentials.put(c.id(), c);
    }

    @Override
    public boolean delete(String id) {
      return credentials.remove(id) != null;
    }

    @Override
    public Optional<String> hostKey(String nodeId) {
      return Optional.ofNullable(keys.get(nodeId));
    }

    @Override
    public void pinHostKey(String nodeId, String fingerprint) {
      keys.put(nodeId, fingerprint);
    }

    @Override
    public boolean forgetHostKey(String nodeId) {
      return keys.remove(nodeId) != null;
    }
  }

  /** Reversible and keyless: enough to prove the collector opens what the API sealed. */
  static final class Cipher implements CredentialCipher {
    @Override
    public String seal(String plaintext) {
      return "sealed:" + Base64.getEncoder().encodeToString(plaintext.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String open(String sealed) {
      if (!sealed.startsWith("sealed:")) {
        throw new IllegalArgumentException("not sealed");
      }
      return new String(Base64.getDecoder().decode(sealed.substring(7)), StandardCharsets.UTF_8);
    }
  }

  static final class Sink implements SampleSink {
    final List<Sample> all = Collections.synchronizedList(new ArrayList<>());

    @Override
    public AppendStatus[] write(List<Sample> batch) {
      all.addAll(batch);
      AppendStatus[] st = new AppendStatus[batch.size()];
      java.util.Arrays.fill(st, AppendStatus.OK);
      return st;
    }

    List<Sample> named(String metric) {
      synchronized (all) {
        return all.stream().filter(s -> s.labels().metricName().equals(metric)).toList();
      }
    }
  }
}
