import type { LiveMessage, NodeInfo } from './types';

/** Node state kept by the dashboard: nodes by id, updated from REST and the live WebSocket. */
export interface NodesState {
  nodes: Record<string, NodeInfo>;
  /** True once a snapshot (REST or WebSocket) has been applied. */
  loaded: boolean;
}

export const initialNodesState: NodesState = { nodes: {}, loaded: false };

function placeholder(id: string): NodeInfo {
  return {
    id,
    hostname: id,
    os: '',
    agentVersion: '',
    labels: {},
    status: 'online',
    lastSeen: null,
    cpuPercent: null,
    memoryPercent: null,
  };
}

/**
 * Applies one live message. Pure: returns a new state, never mutates the old one.
 * - snapshot replaces every node;
 * - sample marks the node online, moves lastSeen to the sample time (never backwards)
 *   and takes its CPU and memory figures (a null figure keeps the previous value);
 * - status sets the status and lastSeen.
 * Messages for unknown nodes add a placeholder so a node that registered after the
 * snapshot shows up at once.
 */
export function liveReducer(state: NodesState, msg: LiveMessage): NodesState {
  switch (msg.type) {
    case 'snapshot': {
      const nodes: Record<string, NodeInfo> = {};
      for (const n of msg.nodes ?? []) nodes[n.id] = { ...placeholder(n.id), ...n, labels: n.labels ?? {} };
      return { nodes, loaded: true };
    }
    case 'sample': {
      const prev = state.nodes[msg.nodeId] ?? placeholder(msg.nodeId);
      const next: NodeInfo = {
        ...prev,
        status: 'online',
        lastSeen: prev.lastSeen == null ? msg.t : Math.max(prev.lastSeen, msg.t),
        cpuPercent: msg.cpuPercent ?? prev.cpuPercent,
        memoryPercent: msg.memoryPercent ?? prev.memoryPercent,
      };
      return { ...state, nodes: { ...state.nodes, [msg.nodeId]: next } };
    }
    case 'status': {
      const prev = state.nodes[msg.nodeId] ?? placeholder(msg.nodeId);
      const next: NodeInfo = { ...prev, status: msg.status, lastSeen: msg.lastSeen ?? prev.lastSeen };
      return { ...state, nodes: { ...state.nodes, [msg.nodeId]: next } };
    }
    default:
      return state;
  }
}

/** Parses a WebSocket text frame; returns null for anything that is not a known message. */
export function parseLiveMessage(text: string): LiveMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const m = value as { type?: unknown; nodes?: unknown; nodeId?: unknown };
  if (m.type === 'snapshot' && Array.isArray(m.nodes)) return value as LiveMessage;
  if ((m.type === 'sample' || m.type === 'status') && typeof m.nodeId === 'string') return value as LiveMessage;
  return null;
}

/** Nodes sorted by hostname then id, filtered by a case-insensitive search over id, hostname, OS and labels. */
export function filterNodes(state: NodesState, search: string): NodeInfo[] {
  const q = search.trim().toLowerCase();
  const all = Object.values(state.nodes);
  const matched = q === '' ? all : all.filter((n) => {
    if (n.id.toLowerCase().includes(q) || n.hostname.toLowerCase().includes(q) || n.os.toLowerCase().includes(q)) return true;
    return Object.entries(n.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(q));
  });
  return matched.sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id));
}

/**
 * Applies a batch of messages with one copy of the node map for the whole batch (the result
 * equals folding liveReducer over them). Per message, liveReducer copies the map: with 10,000
 * nodes and a thousand samples a second that was ten million property copies a second.
 */
export function applyBatch(state: NodesState, messages: LiveMessage[]): NodesState {
  let loaded = state.loaded;
  let nodes: Record<string, NodeInfo> | null = null;
  let base = state.nodes;
  for (const msg of messages) {
    if (msg.type === 'snapshot') {
      const next = liveReducer(state, msg);
      base = next.nodes;
      nodes = null;
      loaded = true;
      continue;
    }
    if (msg.type !== 'sample' && msg.type !== 'status') continue;
    if (nodes === null) nodes = { ...base };
    const prev = nodes[msg.nodeId];
    const one = liveReducer({ nodes: prev ? { [msg.nodeId]: prev } : {}, loaded }, msg);
    nodes[msg.nodeId] = one.nodes[msg.nodeId];
  }
  const out = nodes ?? base;
  return out === state.nodes && loaded === state.loaded ? state : { nodes: out, loaded };
}
