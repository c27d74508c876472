import { describe, expect, it } from 'vitest';
import { escapePromqlString, nodeMatcher, nodeQueries } from './promql';

describe('escapePromqlString', () => {
  it('leaves plain ids alone', () => {
    expect(escapePromqlString('web-1.example.com')).toBe('web-1.example.com');
  });

  it('escapes quotes and backslashes', () => {
    expect(escapePromqlString('a"b\\c')).toBe('a\\"b\\\\c');
  });

  it('escapes control characters', () => {
    expect(escapePromqlString('a\nb\tc\rd\u0001')).toBe('a\\nb\\tc\\rd\\x01');
  });

  it('keeps non-ASCII characters', () => {
    expect(escapePromqlString('节点-ノード')).toBe('节点-ノード');
  });

  it('cannot be broken out of: an injected matcher stays inside the string', () => {
    const m = nodeMatcher('x"} or vector(1) #');
    expect(m).toBe('node="x\\"} or vector(1) #"');
  });
});

describe('nodeQueries', () => {
  it('puts the escaped node matcher in every query', () => {
    const q = nodeQueries('we"b');
    for (const expr of Object.values(q)) expect(expr).toContain('node="we\\"b"');
    expect(q.cpu).toBe('100 * (1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle",node="we\\"b"}[1m])))');
    expect(q.netRx).toContain('device!="lo"');
    expect(q.diskWrite).toContain('node_disk_written_bytes_total');
  });
});
