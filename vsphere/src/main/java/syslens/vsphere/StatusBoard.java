package syslens.vsphere;

import java.util.Optional;

/**
 * Where the instance polling a vCenter leaves its status for the others (several collector
 * instances share one metadata database): every instance then shows the owner, last cycle,
 * objects, samples and errors, not only the one that polls.
 */
public interface StatusBoard {
  /** Stores the status of a vCenter polled here (after each cycle). */
  void put(VCenterStatus status);

  /** The status the polling instance left last, if any. */
  Optional<VCenterStatus> get(String id);

  /** Forgets a deleted vCenter's status. */
  void remove(String id);
}
