import { apiFetch, apiGet } from './client';

/** A connection's health (VCenterStatus on the server). Times are epoch ms, 0: never. */
export interface VcenterStatus {
  state: 'starting' | 'ok' | 'error' | 'disabled';
  lastError: string | null;
  lastInventoryMs: number;
  inventoryDurationMs: number;
  datacenters: number;
  clusters: number;
  hosts: number;
  vms: number;
  datastores: number;
  lastCycleMs: number;
  cycleDurationMs: number;
  cycleSamples: number;
  cycleFailedQueries: number;
  cycles: number;
  lateCycles: number;
  errors: number;
  /** The server instance that polls it (several instances); null on a single instance. */
  owner?: string | null;
}

/** A vCenter connection as GET /api/v1/vcenters shows it: never the password. */
export interface Vcenter {
  id: string;
  name: string;
  url: string;
  user: string;
  pinnedSha256: string | null;
  maxConcurrency: number;
  timeoutSeconds: number;
  perfIntervalSeconds: number;
  inventoryIntervalSeconds: number;
  enabled: boolean;
  status: VcenterStatus | null;
}

/** The body of POST/PUT /api/v1/vcenters (and /test); a missing password on PUT keeps the stored one. */
export interface VcenterBody {
  name: string;
  url: string;
  user: string;
  password?: string;
  pinnedSha256?: string;
  maxConcurrency: number;
  timeoutSeconds: number;
  perfIntervalSeconds: number;
  inventoryIntervalSeconds: number;
  enabled: boolean;
}

/** One node of GET /api/v1/vcenters/tree: vcenter > datacenter > cluster > esxi > vm. */
export interface TreeNode {
  kind: 'vcenter' | 'datacenter' | 'cluster' | 'esxi' | 'vm';
  id: string;
  name: string;
  state?: string;
  children?: TreeNode[];
}

export interface GuestVmStatus {
  node: string;
  vm: string;
  vcenter: string;
  credential: string;
  kind: string;
  address: string;
  state: string;
  lastOkMs: number;
  lastErrorMs: number;
  lastError: string | null;
  durationMs: number;
  samples: number;
  hostKey: string | null;
}

export interface GuestStatusView {
  cycles: { intervalSeconds: number; lastCycleMs: number; durationMs: number; targets: number; ok: number; errors: number; cycles: number; lateCycles: number };
  vms: GuestVmStatus[];
}

const BASE = '/api/v1/vcenters';

export const listVcenters = () => apiGet<Vcenter[]>(BASE);
export const fetchTree = () => apiGet<TreeNode[]>(`${BASE}/tree`);
export const createVcenter = (body: VcenterBody) => apiFetch<Vcenter>(BASE, { method: 'POST', body });
export const updateVcenter = (id: string, body: VcenterBody) => apiFetch<Vcenter>(`${BASE}/${encodeURIComponent(id)}`, { method: 'PUT', body });
export const deleteVcenter = (id: string) => apiFetch<unknown>(`${BASE}/${encodeURIComponent(id)}`, { method: 'DELETE' });
export const collectNow = (id: string) => apiFetch<unknown>(`${BASE}/${encodeURIComponent(id)}/collect`, { method: 'POST' });
export const testVcenter = (body: VcenterBody) => apiFetch<{ ok: boolean; product?: string; error?: string }>(`${BASE}/test`, { method: 'POST', body });
export const fetchGuestStatus = () => apiGet<GuestStatusView>('/api/v1/guest-credentials/status');
