/** Pure helpers of the vSphere pages (tested without a browser). */
import type { TreeNode, Vcenter, VcenterBody } from '../api/vsphere';

export type VsphereTab = 'inventory' | 'connections' | 'guests';
export const VSPHERE_TABS: readonly VsphereTab[] = ['inventory', 'connections', 'guests'];

/** Health of a tree node: ok (green), warn (orange), bad (red), off (grey: powered off, disabled). */
export type Health = 'ok' | 'warn' | 'bad' | 'off';
const RANK: Record<Health, number> = { off: 0, ok: 1, warn: 2, bad: 3 };

/** A VM's or host's own health from the state vCenter reports. */
export function ownHealth(node: Pick<TreeNode, 'kind' | 'state'>): Health | null {
  if (node.kind === 'vm') {
    if (node.state === 'poweredOn') return 'ok';
    if (node.state === 'suspended') return 'warn';
    return 'off';
  }
  if (node.kind === 'esxi') {
    if (node.state === 'connected') return 'ok';
    if (node.state === 'disconnected') return 'off';
    return 'bad'; // notResponding or unknown
  }
  return null;
}

/** A node's health: its own, or the worst of its children's (a parent with only powered-off VMs is off). */
export function health(node: TreeNode): Health {
  const own = ownHealth(node);
  const kids = (node.children ?? []).map(health);
  const all = own === null ? kids : [own, ...kids];
  if (all.length === 0) return 'off';
  return all.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'off' as Health);
}

export const HEALTH_COLORS: Record<Health, string> = { ok: '#52c41a', warn: '#faad14', bad: '#ff4d4f', off: '#bfbfbf' };

/** VMs and hosts under a node, by health (for the counts beside each parent). */
export function countLeaves(node: TreeNode): { vms: number; hosts: number; bad: number } {
  const out = { vms: 0, hosts: 0, bad: 0 };
  const walk = (n: TreeNode) => {
    if (n.kind === 'vm') out.vms++;
    if (n.kind === 'esxi') out.hosts++;
    if ((n.kind === 'vm' || n.kind === 'esxi') && ownHealth(n) === 'bad') out.bad++;
    (n.children ?? []).forEach(walk);
  };
  walk(node);
  return out;
}

/** Tree keys are unique per path (a cluster name repeats across datacenters). */
export function treeKey(path: string[]): string {
  return path.map((p) => encodeURIComponent(p)).join('/');
}

/** Keeps the nodes whose name contains `text` (case-insensitive) and the parents leading to them. */
export function filterTree(nodes: TreeNode[], text: string): TreeNode[] {
  const q = text.trim().toLowerCase();
  if (!q) return nodes;
  const out: TreeNode[] = [];
  for (const n of nodes) {
    if (n.name.toLowerCase().includes(q)) {
      out.push(n);
      continue;
    }
    const kids = filterTree(n.children ?? [], q);
    if (kids.length > 0) out.push({ ...n, children: kids });
  }
  return out;
}

/** Where a tree node opens: VMs and hosts are nodes of the registry (their detail page). */
export function detailHref(node: Pick<TreeNode, 'kind' | 'id'>): string | null {
  return node.kind === 'vm' || node.kind === 'esxi' ? `#/nodes/${encodeURIComponent(node.id)}` : null;
}

/** The connection form's values (strings and numbers as antd's Form gives them). */
export interface ConnectionForm {
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

export const CONNECTION_DEFAULTS: ConnectionForm = {
  name: '', url: 'https://', user: '', password: '', pinnedSha256: '', maxConcurrency: 50, timeoutSeconds: 30,
  perfIntervalSeconds: 60, inventoryIntervalSeconds: 300, enabled: true,
};

/** The form for editing a stored connection: its values, never a password (the API has none to give). */
export function formOf(v: Vcenter): ConnectionForm {
  return {
    name: v.name, url: v.url, user: v.user, password: '', pinnedSha256: v.pinnedSha256 ?? '',
    maxConcurrency: v.maxConcurrency, timeoutSeconds: v.timeoutSeconds, perfIntervalSeconds: v.perfIntervalSeconds,
    inventoryIntervalSeconds: v.inventoryIntervalSeconds, enabled: v.enabled,
  };
}

/**
 * The request body: trimmed text; an empty password is left out (on edit the stored one stays);
 * an empty pin is left out (TLS verified against the system's CAs); the pin without colons, lower case.
 */
export function bodyOf(f: ConnectionForm): VcenterBody {
  const body: VcenterBody = {
    name: f.name.trim(), url: f.url.trim(), user: f.user.trim(), maxConcurrency: Number(f.maxConcurrency),
    timeoutSeconds: Number(f.timeoutSeconds), perfIntervalSeconds: Number(f.perfIntervalSeconds),
    inventoryIntervalSeconds: Number(f.inventoryIntervalSeconds), enabled: f.enabled,
  };
  if (f.password) body.password = f.password;
  const pin = (f.pinnedSha256 ?? '').replace(/[:\s]/g, '').toLowerCase();
  if (pin) body.pinnedSha256 = pin;
  return body;
}

/** A pin as the form accepts it: 64 hex digits, colons allowed (as browsers show fingerprints). */
export function validPin(pin: string | undefined): boolean {
  const p = (pin ?? '').replace(/[:\s]/g, '');
  return p === '' || /^[0-9a-fA-F]{64}$/.test(p);
}

export function vsphereHref(tab: VsphereTab): string {
  return `#/vsphere/${tab}`;
}
