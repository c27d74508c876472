/** A node as served by GET /api/v1/nodes and the live snapshot. */
export interface NodeInfo {
  id: string;
  hostname: string;
  os: string;
  agentVersion: string;
  labels: Record<string, string>;
  status: 'online' | 'offline';
  lastSeen: number | null;
  cpuPercent: number | null;
  memoryPercent: number | null;
}

/** One live sample pushed over the WebSocket after each batch a node sends. */
export interface SampleMessage {
  type: 'sample';
  nodeId: string;
  t: number;
  cpuPercent: number | null;
  memoryPercent: number | null;
  load1: number | null;
  netRxBytesPerSec: number | null;
  netTxBytesPerSec: number | null;
  diskReadBytesPerSec: number | null;
  diskWriteBytesPerSec: number | null;
}

export interface SnapshotMessage {
  type: 'snapshot';
  nodes: NodeInfo[];
}

export interface StatusMessage {
  type: 'status';
  nodeId: string;
  status: 'online' | 'offline';
  lastSeen: number | null;
}

export type LiveMessage = SnapshotMessage | SampleMessage | StatusMessage;
