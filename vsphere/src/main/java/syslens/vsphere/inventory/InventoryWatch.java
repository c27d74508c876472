package syslens.vsphere.inventory;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import syslens.vsphere.client.Moref;
import syslens.vsphere.client.ObjectContent;
import syslens.vsphere.client.PropertySpec;
import syslens.vsphere.client.VimClient;
import syslens.vsphere.client.VimException;
import syslens.vsphere.client.VimFaultException;
import syslens.vsphere.client.Xml;

/**
 * Keeps a vCenter's inventory current incrementally: a PropertyFilter over the same ContainerView
 * and properties as {@link InventoryReader}, then {@code WaitForUpdatesEx} (without waiting) each
 * time, applying only what changed (objects that entered, left or changed a property). A new
 * session (the filter died with the old one) or any failure falls back to a full read.
 */
public final class InventoryWatch {
  private final InventoryReader reader;
  private final int maxObjectUpdates;
  private final Map<Moref, Map<String, Xml>> objects = new LinkedHashMap<>();
  private Moref view;
  private Moref filter;
  private String version;
  private long logins = -1;
  private long fullReads;
  private long incrementalReads;
  private int importantKey = -1;
  /** The last assembled inventory, returned again while no update changes it. */
  private Inventory assembled;
  private boolean changed;

  public InventoryWatch(InventoryReader reader, int maxObjectUpdates) {
    this.reader = requireNonNull(reader, "reader");
    if (maxObjectUpdates < 1) {
      throw new IllegalArgumentException("maxObjectUpdates: " + maxObjectUpdates + " (expected: > 0)");
    }
    this.maxObjectUpdates = maxObjectUpdates;
  }

  /** Full reads so far (the first, re-logins, failures, {@link #reset}). */
  public long fullReads() {
    return fullReads;
  }

  public long incrementalReads() {
    return incrementalReads;
  }

  /** The current inventory: changes only, or a full read when there is no live filter. */
  public Inventory refresh(VimClient client, String vcenter) {
    if (filter != null && client.logins() == logins) {
      try {
        applyUpdates(client);
        if (client.logins() == logins) {
          incrementalReads++;
          return assemble(vcenter);
        }
        // the client logged in again during the call: the filter ended with the old session
      } catch (VimFaultException e) {
        reset(client); // vCenter refused the filter or its version: start over
      } catch (VimException e) {
        filter = null; // unreachable: no full read now, the next refresh starts over
        view = null;
        throw e;
      }
    }
    filter = null;
    view = null;
    return full(client, vcenter);
  }

  /** Drops the filter so the next refresh reads everything again. */
  public void reset(VimClient client) {
    if (filter != null && client.logins() == logins) {
      try {
        client.destroyFilter(filter);
        client.destroyView(view);
      } catch (VimException ignored) {
        // the session may be gone, and the filter with it
      }
    }
    filter = null;
    view = null;
    version = null;
    objects.clear();
    assembled = null;
  }

  private Inventory full(VimClient client, String vcenter) {
    objects.clear();
    assembled = null;
    importantKey = client.customFieldKey(InventoryReader.IMPORTANT_FIELD).orElse(-1);
    view = client.createContainerView(client.serviceContent().rootFolder(),
        List.copyOf(InventoryReader.PROPERTIES.keySet()), true);
    filter = client.createFilter(PropertySpec.containerView(view, InventoryReader.PROPERTIES));
    logins = client.logins();
    version = "";
    applyUpdates(client);
    fullReads++;
    return assemble(vcenter);
  }

  /** WaitForUpdatesEx until nothing is left (vCenter truncates large update sets). */
  private void applyUpdates(VimClient client) {
    for (int round = 0; round < 100_000; round++) {
      Xml set = client.waitForUpdates(version, maxObjectUpdates);
      if (set == null) {
        return;
      }
      version = set.childText("version");
      for (Xml fs : set.all("filterSet")) {
        for (Xml os : fs.all("objectSet")) {
          apply(os);
          changed = true;
        }
      }
      if (!"true".equals(set.childText("truncated"))) {
        return;
      }
    }
    throw new VimException("WaitForUpdatesEx kept answering truncated update sets (expected: an end)");
  }

  private void apply(Xml update) {
    Moref obj = update.child("obj").moref();
    String kind = update.childText("kind");
    if (kind.equals("leave")) {
      objects.remove(obj);
      return;
    }
    Map<String, Xml> props = objects.computeIfAbsent(obj, k -> new HashMap<>());
    for (Xml change : update.all("changeSet")) {
      String name = change.childText("name");
      String op = change.childText("op");
      Xml val = change.child("val");
      if (op.equals("remove") || op.equals("indirectRemove") || val == null) {
        props.remove(name);
      } else {
        props.put(name, val);
      }
    }
  }

  /** The inventory from the objects; the previous one (same object) when nothing changed since. */
  private Inventory assemble(String vcenter) {
    if (assembled != null && !changed && assembled.vcenter().equals(vcenter)) {
      return reader.restamp(assembled); // the same lists: callers compare them by identity first
    }
    changed = false;
    List<ObjectContent> list = new ArrayList<>(objects.size());
    objects.forEach((ref, props) -> list.add(new ObjectContent(ref, props)));
    assembled = reader.assemble(vcenter, list, importantKey);
    return assembled;
  }
}
