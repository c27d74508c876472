-- Several server instances (docs/operations.md "Several instances"): the instance that polls a
-- vCenter leaves its inventory here whenever it changes, so every instance serves the vSphere
-- tree, the flat list, scoped views and report sizes. body is the inventory as gzip-compressed
-- JSON (syslens.vsphere.inventory.InventoryCodec, at most 16 MiB); version rises by one on every
-- write, so readers decode a body only when it changed. Unused on the embedded H2 store.
CREATE TABLE vcenter_inventory (
  vcenter_id VARCHAR(64) PRIMARY KEY,
  owner      VARCHAR(64) NOT NULL,
  version    BIGINT      NOT NULL,
  body       BYTEA       NOT NULL,
  updated_at BIGINT      NOT NULL
);
