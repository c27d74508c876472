package syslens.server.cluster;

import java.util.UUID;
import java.util.function.BiConsumer;

/** The bus of an instance that is alone (embedded H2 metadata): nothing to tell anyone. */
final class LocalBus implements ClusterBus {
  private final String id = UUID.randomUUID().toString();

  @Override
  public String instanceId() {
    return id;
  }

  @Override
  public boolean clustered() {
    return false;
  }

  @Override
  public void subscribe(String topic, BiConsumer<String, String> handler) {
  }

  @Override
  public void onResync(Runnable handler) {
  }

  @Override
  public boolean publish(String topic, String body) {
    ClusterBus.checkBody(topic, body);
    return true;
  }

  @Override
  public String problem() {
    return null;
  }

  @Override
  public void start() {
  }

  @Override
  public void close() {
  }
}
