import { describe, expect, it } from 'vitest';
import type { TreeNode, Vcenter } from '../api/vsphere';
import { bodyOf, CONNECTION_DEFAULTS, countLeaves, detailHref, filterTree, formOf, health, ownHealth, treeKey, validPin } from './vsphere';
import { parseRoute } from './route';

const vm = (name: string, state: string): TreeNode => ({ kind: 'vm', id: `vm:vc1:${name}`, name, state });
const host = (name: string, state: string, vms: TreeNode[]): TreeNode => ({ kind: 'esxi', id: `esxi:vc1:${name}`, name, state, children: vms });
const tree: TreeNode[] = [{
  kind: 'vcenter', id: 'vc1', name: 'vc1', children: [{
    kind: 'datacenter', id: 'DC0', name: 'DC0', children: [
      { kind: 'cluster', id: 'C0', name: 'C0', children: [host('h1', 'connected', [vm('web-1', 'poweredOn'), vm('db-1', 'poweredOff')])] },
      { kind: 'cluster', id: 'C1', name: 'C1', children: [host('h2', 'notResponding', [vm('web-2', 'poweredOn')])] },
    ],
  }],
}];

describe('vSphere tree health', () => {
  it('maps vCenter states to a VM or host health', () => {
    expect(ownHealth({ kind: 'vm', state: 'poweredOn' })).toBe('ok');
    expect(ownHealth({ kind: 'vm', state: 'poweredOff' })).toBe('off');
    expect(ownHealth({ kind: 'vm', state: 'suspended' })).toBe('warn');
    expect(ownHealth({ kind: 'esxi', state: 'connected' })).toBe('ok');
    expect(ownHealth({ kind: 'esxi', state: 'disconnected' })).toBe('off');
    expect(ownHealth({ kind: 'esxi', state: 'notResponding' })).toBe('bad');
    expect(ownHealth({ kind: 'cluster' })).toBeNull();
  });

  it('colours a parent by its worst child', () => {
    const dc = tree[0].children![0];
    expect(health(dc.children![0])).toBe('ok'); // a powered-off VM does not make its cluster unhealthy
    expect(health(dc.children![1])).toBe('bad');
    expect(health(tree[0])).toBe('bad');
    expect(health({ kind: 'cluster', id: 'empty', name: 'empty', children: [] })).toBe('off');
  });

  it('counts the hosts and VMs under a node', () => {
    expect(countLeaves(tree[0])).toEqual({ vms: 3, hosts: 2, bad: 1 });
  });
});

describe('vSphere tree search and links', () => {
  it('keeps matches with the parents that lead to them', () => {
    const out = filterTree(tree, 'WEB-2');
    expect(out[0].children![0].children!.map((c) => c.name)).toEqual(['C1']);
    expect(out[0].children![0].children![0].children![0].children!.map((v) => v.name)).toEqual(['web-2']);
    expect(filterTree(tree, '  ')).toBe(tree);
    expect(filterTree(tree, 'nothing-like-this')).toEqual([]);
  });

  it('opens VMs and hosts on their node page, not parents', () => {
    expect(detailHref({ kind: 'vm', id: 'vm:vc1:4213-ab' })).toBe('#/nodes/vm%3Avc1%3A4213-ab');
    expect(detailHref({ kind: 'esxi', id: 'esxi:vc1:host-21' })).toBe('#/nodes/esxi%3Avc1%3Ahost-21');
    expect(detailHref({ kind: 'cluster', id: 'C0' })).toBeNull();
  });

  it('makes keys unique per path even where names repeat', () => {
    expect(treeKey(['cluster', 'C0', 'esxi', 'a/b'])).not.toBe(treeKey(['cluster', 'C0/esxi', 'a', 'b']));
  });
});

describe('vCenter connection form', () => {
  const stored: Vcenter = {
    id: 'ab12', name: 'vc1', url: 'https://vc1/sdk', user: 'svc', pinnedSha256: 'aa'.repeat(32), maxConcurrency: 50,
    timeoutSeconds: 30, perfIntervalSeconds: 60, inventoryIntervalSeconds: 300, enabled: true, status: null,
  };

  it('never fills a password when editing, and leaves an empty one out so the stored one stays', () => {
    const f = formOf(stored);
    expect(f.password).toBe('');
    const body = bodyOf(f);
    expect(body).not.toHaveProperty('password');
    expect(body.pinnedSha256).toBe('aa'.repeat(32));
  });

  it('sends a typed password, trims text and normalises a pasted fingerprint', () => {
    const body = bodyOf({ ...CONNECTION_DEFAULTS, name: ' vc2 ', url: ' https://vc2/sdk ', user: 'u', password: 's3cret',
      pinnedSha256: 'AB:'.repeat(31) + 'AB', maxConcurrency: 20 });
    expect(body).toMatchObject({ name: 'vc2', url: 'https://vc2/sdk', password: 's3cret', maxConcurrency: 20, perfIntervalSeconds: 60 });
    expect(body.pinnedSha256).toBe('ab'.repeat(32));
    expect(bodyOf({ ...CONNECTION_DEFAULTS, pinnedSha256: '' })).not.toHaveProperty('pinnedSha256');
  });

  it('accepts a pin of 64 hex digits (colons allowed) or none', () => {
    expect(validPin('')).toBe(true);
    expect(validPin(undefined)).toBe(true);
    expect(validPin('0f'.repeat(32))).toBe(true);
    expect(validPin('0F:'.repeat(31) + '0F')).toBe(true);
    expect(validPin('0f'.repeat(31))).toBe(false);
    expect(validPin('zz'.repeat(32))).toBe(false);
  });
});

describe('vSphere routes', () => {
  it('parses #/vsphere tabs, defaulting to the inventory', () => {
    expect(parseRoute('#/vsphere')).toEqual({ page: 'vsphere', tab: 'inventory' });
    expect(parseRoute('#/vsphere/connections')).toEqual({ page: 'vsphere', tab: 'connections' });
    expect(parseRoute('#/vsphere/guests/')).toEqual({ page: 'vsphere', tab: 'guests' });
    expect(parseRoute('#/vsphere/bogus')).toEqual({ page: 'vsphere', tab: 'inventory' });
  });
});
