package syslens.vsphere.guest;

import java.util.List;
import java.util.Optional;

/**
 * Where guest credentials and pinned SSH host keys are kept (the metadata database); the
 * composition root implements it.
 */
public interface GuestRepository {
  List<GuestCredential> list();

  /** Inserts or replaces by id. */
  void save(GuestCredential credential);

  /** Returns whether it existed. */
  boolean delete(String id);

  /** The SSH host key fingerprint ({@code SHA256:...}) pinned for a VM node on first use. */
  Optional<String> hostKey(String nodeId);

  void pinHostKey(String nodeId, String fingerprint);

  /** Forgets a VM's pinned key (the VM was reinstalled); the next connection pins again. */
  boolean forgetHostKey(String nodeId);
}
