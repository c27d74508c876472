package syslens.vsphere;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;

/**
 * In-memory stand-ins for what the composition root provides (storage, node registry, metadata
 * database, master key); the server's tests cover the real ones.
 */
final class TestParts {
  private TestParts() {}

  /** Keeps samples per series with storage's ordering rule (a sample must be newer than the last). */
  static class Sink implements SampleSink {
    final Map<Labels, List<long[]>> series = new ConcurrentHashMap<>();
    final List<Sample> all = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public synchronized AppendStatus[] write(List<Sample> batch) {
      AppendStatus[] st = new AppendStatus[batch.size()];
      for (int i = 0; i < st.length; i++) {
        Sample s = batch.get(i);
        List<long[]> l = series.computeIfAbsent(s.labels(), k -> new ArrayList<>());
        if (!l.isEmpty() && l.getLast()[0] >= s.timestampMs()) {
          st[i] = l.getLast()[0] == s.timestampMs() ? AppendStatus.DUPLICATE_TIMESTAMP : AppendStatus.OUT_OF_ORDER;
          continue;
        }
        l.add(new long[] {s.timestampMs()});
        all.add(s);
        st[i] = AppendStatus.OK;
      }
      return st;
    }

    synchronized List<Sample> named(String metric) {
      return all.stream().filter(s -> s.labels().metricName().equals(metric)).toList();
    }
  }

  static final class Nodes implements NodeDirectory {
    final Map<String, Node> nodes = new ConcurrentHashMap<>();

    @Override
    public void upsert(List<Node> list) {
      list.forEach(n -> nodes.put(n.id(), n));
    }
  }

  static final class Repository implements VCenterRepository {
    final Map<String, VCenterSpec> specs = new HashMap<>();

    @Override
    public synchronized List<VCenterSpec> list() {
      return List.copyOf(specs.values());
    }

    @Override
    public synchronized void save(VCenterSpec spec) {
      specs.put(spec.id(), spec);
    }

    @Override
    public synchronized boolean delete(String id) {
      return specs.remove(id) != null;
    }
  }

  /** Reversible and keyless: enough to prove the collector opens what the API sealed. */
  static final class Cipher implements CredentialCipher {
    @Override
    public String seal(String plaintext) {
      return "sealed:" + Base64.getEncoder().encodeToString(new StringBuilder(plaintext).reverse().toString()
          .getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String open(String sealed) {
      if (!sealed.startsWith("sealed:")) {
        throw new IllegalArgumentException("not sealed");
      }
      return new StringBuilder(new String(Base64.getDecoder().decode(sealed.substring(7)), StandardCharsets.UTF_8))
          .reverse().toString();
    }
  }
}
