/**
 * Escapes a value for use inside a double-quoted PromQL string literal.
 * PromQL strings follow Go's escaping rules: backslash, the quote and control
 * characters must be escaped.
 */
export function escapePromqlString(value: string): string {
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case '"': out += '\\"'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      default: {
        const code = ch.codePointAt(0)!;
        out += code < 0x20 || code === 0x7f ? '\\x' + code.toString(16).padStart(2, '0') : ch;
      }
    }
  }
  return out;
}

/** The label matcher `node="<id>"` with the id escaped. */
export function nodeMatcher(nodeId: string): string {
  return `node="${escapePromqlString(nodeId)}"`;
}

export type NodeSeriesKey = 'cpu' | 'memory' | 'netRx' | 'netTx' | 'diskRead' | 'diskWrite';

/** What a node is, from its id: vSphere VMs are `vm:<vcenter>:<uuid>`, hosts `esxi:<vcenter>:<id>`. */
export function nodeKind(nodeId: string, kind?: string): 'agent' | 'vm' | 'esxi' {
  if (kind === 'vm' || kind === 'esxi' || kind === 'agent') return kind;
  return nodeId.startsWith('vm:') ? 'vm' : nodeId.startsWith('esxi:') ? 'esxi' : 'agent';
}

/**
 * The PromQL expressions behind the node-detail charts, with range functions over `window`
 * (`lib/timeRange.ts` rateWindow: a window of one step lets long ranges read the rollup tiers).
 * Agents report node_exporter's names; vSphere VMs and hosts the collector's `vsphere_vm_*` /
 * `vsphere_host_*` rates and ratios.
 */
export function nodeQueries(nodeId: string, window = '1m', kind: 'agent' | 'vm' | 'esxi' = nodeKind(nodeId)): Record<NodeSeriesKey, string> {
  const n = nodeMatcher(nodeId);
  if (kind !== 'agent') {
    const p = kind === 'vm' ? 'vsphere_vm' : 'vsphere_host';
    const avg = (m: string, agg: string) => `${agg} by (node) (avg_over_time(${p}_${m}{${n}}[${window}]))`;
    return {
      cpu: `100 * ${avg('cpu_usage_ratio', 'max')}`,
      memory: `100 * ${avg('memory_usage_ratio', 'max')}`,
      netRx: avg('net_received_bytes_per_second', 'sum'),
      netTx: avg('net_transmitted_bytes_per_second', 'sum'),
      diskRead: avg('disk_read_bytes_per_second', 'sum'),
      diskWrite: avg('disk_write_bytes_per_second', 'sum'),
    };
  }
  return {
    cpu: `100 * (1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle",${n}}[${window}])))`,
    memory: window === '1m'
      ? `100 * (1 - node_memory_MemAvailable_bytes{${n}} / node_memory_MemTotal_bytes{${n}})`
      : `100 * (1 - avg_over_time(node_memory_MemAvailable_bytes{${n}}[${window}]) / avg_over_time(node_memory_MemTotal_bytes{${n}}[${window}]))`,
    netRx: `sum by (node) (rate(node_network_receive_bytes_total{${n},device!="lo"}[${window}]))`,
    netTx: `sum by (node) (rate(node_network_transmit_bytes_total{${n},device!="lo"}[${window}]))`,
    diskRead: `sum by (node) (rate(node_disk_read_bytes_total{${n}}[${window}]))`,
    diskWrite: `sum by (node) (rate(node_disk_written_bytes_total{${n}}[${window}]))`,
  };
}

export type BreakdownKey = 'filesystem' | 'nicRx' | 'nicTx' | 'processCpu' | 'processMemory';

/** Per-filesystem, per-NIC and per-process breakdowns (agents only: the series exist only there). */
export function breakdownQueries(nodeId: string, window = '1m'): Record<BreakdownKey, string> {
  const n = nodeMatcher(nodeId);
  const fs = `${n},fstype!~"tmpfs|devtmpfs|overlay|squashfs|ramfs"`;
  return {
    filesystem: `100 * (1 - max by (mountpoint) (avg_over_time(node_filesystem_avail_bytes{${fs}}[${window}])) / max by (mountpoint) (avg_over_time(node_filesystem_size_bytes{${fs}}[${window}])))`,
    nicRx: `sum by (device) (rate(node_network_receive_bytes_total{${n},device!="lo"}[${window}]))`,
    nicTx: `sum by (device) (rate(node_network_transmit_bytes_total{${n},device!="lo"}[${window}]))`,
    processCpu: `topk(8, max by (comm) (avg_over_time(syslens_process_top_cpu_ratio{${n}}[${window}])))`,
    processMemory: `topk(8, max by (comm) (avg_over_time(syslens_process_top_resident_bytes{${n}}[${window}])))`,
  };
}
