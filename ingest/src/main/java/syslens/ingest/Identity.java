package syslens.ingest;

import static java.util.Objects.requireNonNull;

/**
 * The node a series describes: the pipeline sets its {@code node} and {@code instance} labels,
 * overriding whatever the sender put there, so a node's series carry the identity the server
 * vouches for.
 */
public record Identity(String node, String instance) {
  public Identity {
    requireNonNull(node, "node");
    requireNonNull(instance, "instance");
  }
}
