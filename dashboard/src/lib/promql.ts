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

/** The PromQL expressions behind the node-detail charts. */
export function nodeQueries(nodeId: string): Record<NodeSeriesKey, string> {
  const n = nodeMatcher(nodeId);
  return {
    cpu: `100 * (1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle",${n}}[1m])))`,
    memory: `100 * (1 - node_memory_MemAvailable_bytes{${n}} / node_memory_MemTotal_bytes{${n}})`,
    netRx: `sum by (node) (rate(node_network_receive_bytes_total{${n},device!="lo"}[1m]))`,
    netTx: `sum by (node) (rate(node_network_transmit_bytes_total{${n},device!="lo"}[1m]))`,
    diskRead: `sum by (node) (rate(node_disk_read_bytes_total{${n}}[1m]))`,
    diskWrite: `sum by (node) (rate(node_disk_written_bytes_total{${n}}[1m]))`,
  };
}
