package syslens.vsphere;

import java.util.List;

/** Where vCenter connections are kept (the metadata database); the composition root implements it. */
public interface VCenterRepository {
  List<VCenterSpec> list();

  /** Inserts or replaces by id. */
  void save(VCenterSpec spec);

  /** Returns whether it existed. */
  boolean delete(String id);
}
