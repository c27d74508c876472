import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearSession, setSession } from '../api/session';
import { LiveProvider } from '../live/LiveProvider';
import { nodeQueries } from '../lib/promql';
import type { ResolvedRange } from '../lib/timeRange';
import { POLL_EMPTY_MS, POLL_MS, useMainSeries, type Window } from './nodeHistory';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const NODE = 'vm:lab:4200-0001';
const T0 = 1_796_174_400_000; // a multiple of the 15 s step
/** The window the page asks first: one hour ending 13 s after a step (the VM's first sample comes after that step). */
const WIN: Window = { start: T0 - 3_600_000, end: T0 + 13_000, step: 15 };
const RANGE: ResolvedRange = { start: WIN.start, end: WIN.end, live: true };
const SESSION = { token: 't', username: 'admin', expiresAt: T0 + 3_600_000 };

function Probe({ poll }: { poll: boolean }) {
  const { series } = useMainSeries(NODE, nodeQueries(NODE, '1m', 'vm'), WIN, RANGE, poll);
  return <span data-testid="cpu">{series.cpu.length}</span>;
}

describe('useMainSeries of a node without a live feed', () => {
  let container: HTMLDivElement;
  let root: Root;
  /** The `end` of every query_range asked, in ms. */
  let ends: number[];
  /** The first sample's time: a query whose window reaches a step at or after it answers one point. */
  const sampleAt = T0 + 2_000;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: T0 + 13_000 });
    ends = [];
    vi.stubGlobal('WebSocket', class { readyState = 0; onmessage = null; onopen = null; onclose = null; onerror = null; send() {} close() {} });
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      const u = new URL(url, 'http://x');
      if (u.pathname !== '/api/v1/query_range') return Response.json({ status: 'success', data: [] });
      const end = Number(u.searchParams.get('end')) * 1000;
      ends.push(end);
      // steps on the 15 s grid up to end; the sample shows at the first step at or after it
      const lastStep = Math.floor(end / 15_000) * 15_000;
      const result = lastStep >= sampleAt ? [{ metric: { node: NODE }, values: [[lastStep / 1000, '12.5']] }] : [];
      return Response.json({ status: 'success', data: { resultType: 'matrix', result } });
    }));
    setSession(SESSION);
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    vi.unstubAllGlobals();
    vi.useRealTimers();
    clearSession();
  });

  const cpuPoints = () => Number(container.querySelector('[data-testid="cpu"]')?.textContent);
  const advance = (ms: number) => act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
  const render = (poll: boolean) => act(async () => root.render(<LiveProvider session={SESSION}><Probe poll={poll} /></LiveProvider>));

  it('useMainSeries_firstSampleNewerThanTheLastStep_showsOnceAskedAgain', async () => {
    await render(true);
    await advance(10);
    expect(ends).toHaveLength(6); // the six chart queries, none of which reaches the sample yet
    expect(cpuPoints()).toBe(0);

    await advance(POLL_EMPTY_MS);
    expect(ends).toHaveLength(12);
    expect(Math.min(...ends.slice(6))).toBeGreaterThanOrEqual(T0 + 15_000); // the window slid to now
    expect(cpuPoints()).toBe(1);

    await advance(POLL_EMPTY_MS); // with data the next ask waits the longer interval
    expect(ends).toHaveLength(12);
    await advance(POLL_MS - POLL_EMPTY_MS);
    expect(ends).toHaveLength(18);
  });

  it('useMainSeries_agentNode_asksOnce', async () => {
    await render(false);
    await advance(POLL_MS * 3);
    expect(ends).toHaveLength(6);
    expect(cpuPoints()).toBe(0);
  });
});
