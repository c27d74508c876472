import { describe, expect, it } from 'vitest';
import { filterNodes, initialNodesState, liveReducer, parseLiveMessage, type NodesState } from './liveReducer';
import type { NodeInfo, SampleMessage } from './types';

const node = (id: string, extra: Partial<NodeInfo> = {}): NodeInfo => ({
  id,
  hostname: id,
  os: 'Linux 6.1 (amd64)',
  agentVersion: '0.1.0',
  labels: { env: 'prod' },
  status: 'online',
  lastSeen: 1_000,
  cpuPercent: 10,
  memoryPercent: 20,
  ...extra,
});

const sample = (nodeId: string, t: number, extra: Partial<SampleMessage> = {}): SampleMessage => ({
  type: 'sample',
  nodeId,
  t,
  cpuPercent: 55.5,
  memoryPercent: 66.6,
  load1: 0.5,
  netRxBytesPerSec: 1,
  netTxBytesPerSec: 2,
  diskReadBytesPerSec: 3,
  diskWriteBytesPerSec: 4,
  ...extra,
});

const withNodes = (...nodes: NodeInfo[]): NodesState => liveReducer(initialNodesState, { type: 'snapshot', nodes });

describe('liveReducer', () => {
  it('snapshot replaces all nodes and marks the state loaded', () => {
    const before = withNodes(node('old'));
    const after = liveReducer(before, { type: 'snapshot', nodes: [node('a'), node('b', { status: 'offline' })] });
    expect(Object.keys(after.nodes).sort()).toEqual(['a', 'b']);
    expect(after.nodes.b.status).toBe('offline');
    expect(after.loaded).toBe(true);
    expect(initialNodesState.loaded).toBe(false);
  });

  it('sample updates cpu, memory and lastSeen and marks the node online', () => {
    const before = withNodes(node('a', { status: 'offline', lastSeen: 1_000 }), node('b'));
    const after = liveReducer(before, sample('a', 5_000));
    expect(after.nodes.a).toMatchObject({ status: 'online', lastSeen: 5_000, cpuPercent: 55.5, memoryPercent: 66.6 });
    expect(after.nodes.b).toBe(before.nodes.b);
  });

  it('sample with null figures keeps the previous ones', () => {
    const before = withNodes(node('a', { cpuPercent: 12, memoryPercent: 34 }));
    const after = liveReducer(before, sample('a', 5_000, { cpuPercent: null, memoryPercent: null }));
    expect(after.nodes.a.cpuPercent).toBe(12);
    expect(after.nodes.a.memoryPercent).toBe(34);
  });

  it('an older sample does not move lastSeen backwards', () => {
    const before = withNodes(node('a', { lastSeen: 9_000 }));
    expect(liveReducer(before, sample('a', 5_000)).nodes.a.lastSeen).toBe(9_000);
  });

  it('status sets status and lastSeen', () => {
    const before = withNodes(node('a'));
    const after = liveReducer(before, { type: 'status', nodeId: 'a', status: 'offline', lastSeen: 7_000 });
    expect(after.nodes.a).toMatchObject({ status: 'offline', lastSeen: 7_000, cpuPercent: 10 });
  });

  it('messages for an unknown node add it', () => {
    const after = liveReducer(withNodes(), sample('new-1', 3_000));
    expect(after.nodes['new-1']).toMatchObject({ id: 'new-1', hostname: 'new-1', status: 'online', cpuPercent: 55.5, labels: {} });
  });

  it('never mutates the previous state', () => {
    const before = withNodes(node('a'));
    const frozen = JSON.stringify(before);
    liveReducer(before, sample('a', 5_000));
    liveReducer(before, { type: 'status', nodeId: 'a', status: 'offline', lastSeen: 6_000 });
    liveReducer(before, { type: 'snapshot', nodes: [] });
    expect(JSON.stringify(before)).toBe(frozen);
  });
});

describe('parseLiveMessage', () => {
  it('accepts the three message types', () => {
    expect(parseLiveMessage('{"type":"snapshot","nodes":[]}')).toEqual({ type: 'snapshot', nodes: [] });
    expect(parseLiveMessage('{"type":"status","nodeId":"a","status":"offline","lastSeen":1}')?.type).toBe('status');
    expect(parseLiveMessage(JSON.stringify(sample('a', 1)))?.type).toBe('sample');
  });

  it.each(['not json', 'null', '42', '{"type":"other"}', '{"type":"sample"}', '{"type":"snapshot"}'])('rejects %s', (text) => {
    expect(parseLiveMessage(text)).toBeNull();
  });
});

describe('filterNodes', () => {
  const state = withNodes(
    node('db-1', { labels: { env: 'staging', role: 'db' } }),
    node('web-2', { hostname: 'alpha' }),
    node('web-1', { os: 'Windows Server 2022' }),
  );

  it('sorts by hostname', () => {
    expect(filterNodes(state, '').map((n) => n.id)).toEqual(['web-2', 'db-1', 'web-1']);
  });

  it('searches id, hostname, OS and labels case-insensitively', () => {
    expect(filterNodes(state, 'WEB').map((n) => n.id)).toEqual(['web-2', 'web-1']);
    expect(filterNodes(state, 'alp').map((n) => n.id)).toEqual(['web-2']);
    expect(filterNodes(state, 'windows').map((n) => n.id)).toEqual(['web-1']);
    expect(filterNodes(state, 'role=db').map((n) => n.id)).toEqual(['db-1']);
    expect(filterNodes(state, 'nothing')).toEqual([]);
  });
});

describe('applyBatch', () => {
  it('equals folding liveReducer over the messages, copying the map once', async () => {
    const { applyBatch, liveReducer, initialNodesState } = await import('./liveReducer');
    const base = liveReducer(initialNodesState, { type: 'snapshot', nodes: [
      { id: 'a', hostname: 'a', os: '', agentVersion: '', labels: {}, status: 'online', lastSeen: 1, cpuPercent: 1, memoryPercent: 2 },
      { id: 'b', hostname: 'b', os: '', agentVersion: '', labels: {}, status: 'offline', lastSeen: 1, cpuPercent: null, memoryPercent: null },
    ] });
    const msgs = [
      { type: 'sample', nodeId: 'a', t: 5, cpuPercent: 50, memoryPercent: null, load1: null, netRxBytesPerSec: null, netTxBytesPerSec: null, diskReadBytesPerSec: null, diskWriteBytesPerSec: null },
      { type: 'status', nodeId: 'b', status: 'online', lastSeen: 6 },
      { type: 'sample', nodeId: 'c', t: 7, cpuPercent: 9, memoryPercent: 8, load1: null, netRxBytesPerSec: null, netTxBytesPerSec: null, diskReadBytesPerSec: null, diskWriteBytesPerSec: null },
      { type: 'sample', nodeId: 'a', t: 4, cpuPercent: 60, memoryPercent: 30, load1: null, netRxBytesPerSec: null, netTxBytesPerSec: null, diskReadBytesPerSec: null, diskWriteBytesPerSec: null },
    ] as import('./types').LiveMessage[];
    const folded = msgs.reduce(liveReducer, base);
    const batched = applyBatch(base, msgs);
    expect(batched).toEqual(folded);
    expect(base.nodes.a.cpuPercent).toBe(1);
    expect(applyBatch(base, [])).toBe(base);
  });
});
