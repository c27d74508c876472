import { useEffect, useState } from 'react';
import { ApiError, queryRange } from '../api/client';
import { useLive } from '../live/LiveProvider';
import type { NodeSeriesKey } from '../lib/promql';
import { appendLive, matrixToPoints, type MatrixSeries, type Point } from '../lib/series';
import { slideWindow, type ResolvedRange } from '../lib/timeRange';
import type { SampleMessage } from '../lib/types';

export const KEYS: NodeSeriesKey[] = ['cpu', 'memory', 'netRx', 'netTx', 'diskRead', 'diskWrite'];
export type SeriesState = Record<NodeSeriesKey, Point[]>;

export const emptySeries = (): SeriesState => ({ cpu: [], memory: [], netRx: [], netTx: [], diskRead: [], diskWrite: [] });

const SAMPLE_FIELDS: Record<NodeSeriesKey, keyof SampleMessage> = {
  cpu: 'cpuPercent',
  memory: 'memoryPercent',
  netRx: 'netRxBytesPerSec',
  netTx: 'netTxBytesPerSec',
  diskRead: 'diskReadBytesPerSec',
  diskWrite: 'diskWriteBytesPerSec',
};

/**
 * Adds a live sample's figures to the series (one point per step after the history, older points
 * dropping off the range's start); a null figure adds nothing to its series.
 */
export function applySample(series: SeriesState, s: SampleMessage, spanMs: number, stepMs: number, historyEnd: number): SeriesState {
  let next: SeriesState | null = null;
  for (const k of KEYS) {
    const v = s[SAMPLE_FIELDS[k]];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const updated = appendLive(series[k], [s.t, v], s.t - spanMs, stepMs, historyEnd);
    if (updated !== series[k]) {
      next ??= { ...series };
      next[k] = updated;
    }
  }
  return next ?? series;
}

/** Why a load failed, for the page: 'network' for an unreachable server, null to say nothing (aborted, signed out). */
export function loadProblem(e: unknown): string | null {
  if ((e as Error).name === 'AbortError') return null;
  if (e instanceof ApiError && e.status === 401) return null;
  return e instanceof ApiError && e.status === 0 ? 'network' : (e as Error).message;
}

export interface Window {
  start: number;
  end: number;
  step: number;
}

/**
 * How often a node without a live feed (vSphere VMs and hosts: the live feed carries agent
 * batches only) asks for its history again while the range ends now: every 5 s while every series
 * is still empty (a VM just discovered, or whose first samples are newer than the last query
 * step), then every 20 s (vCenter's realtime interval).
 */
export const POLL_EMPTY_MS = 5_000;
export const POLL_MS = 20_000;

/**
 * The node's main series over a window; for a range ending now, live samples (subscribed before
 * the history loads, so none is lost) extend them within a second of arriving. With `poll` (nodes
 * whose samples never come on the live feed) a range ending now is asked again, its window slid
 * to the present, every {@link POLL_MS} ({@link POLL_EMPTY_MS} while empty); the series shown stay
 * until the new answer replaces them.
 */
export function useMainSeries(nodeId: string, queries: Record<NodeSeriesKey, string>, win: Window, range: ResolvedRange, poll = false) {
  const { subscribeSamples } = useLive();
  const [series, setSeries] = useState<SeriesState>(emptySeries);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const span = range.end - range.start;
  const key = KEYS.map((k) => queries[k]).join('\n');

  useEffect(() => {
    const stepMs = win.step * 1000;
    let historyEnd = Infinity; // until the history arrives, live points are kept aside
    let pending: SampleMessage[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let abort = new AbortController();
    setSeries(emptySeries());
    setLoading(true);
    setError(null);
    const unsubscribe = range.live
      ? subscribeSamples((s) => {
        if (s.nodeId !== nodeId) return;
        if (historyEnd === Infinity) {
          if (pending.length < 600) pending.push(s);
          return;
        }
        setSeries((prev) => applySample(prev, s, span, stepMs, historyEnd));
      })
      : () => {};
    const load = (w: Window) => {
      Promise.all(KEYS.map((k) => queryRange(queries[k], w.start, w.end, w.step, abort.signal)))
        .then((results: MatrixSeries[][]) => {
          const loaded = emptySeries();
          KEYS.forEach((k, i) => {
            loaded[k] = matrixToPoints(results[i]);
          });
          historyEnd = w.end;
          let merged = loaded;
          for (const s of pending) merged = applySample(merged, s, span, stepMs, historyEnd);
          pending = [];
          setSeries(merged);
          setError(null);
          setLoading(false);
          schedule(KEYS.every((k) => merged[k].length === 0));
        })
        .catch((e: unknown) => {
          const p = loadProblem(e);
          if (p) setError(p);
          setLoading(false);
          if (p) schedule(false);
        });
    };
    const schedule = (empty: boolean) => {
      if (!poll || !range.live || abort.signal.aborted) return;
      timer = setTimeout(() => {
        abort = new AbortController();
        load(slideWindow(win, Date.now()));
      }, empty ? POLL_EMPTY_MS : POLL_MS);
    };
    load(win);
    return () => {
      abort.abort();
      if (timer !== undefined) clearTimeout(timer);
      unsubscribe();
    };
    // key stands for the queries; win and range by their figures
  }, [nodeId, key, win.start, win.end, win.step, range.live, span, subscribeSamples, poll]);

  return { series, error, loading };
}

/** Matrix results of several queries over a window (shifted by `offsetMs` when comparing), reloaded when they change. */
export function useMatrices(exprs: string[] | null, win: Window, offsetMs: number, reload: number) {
  const [data, setData] = useState<MatrixSeries[][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = exprs?.join('\n') ?? '';
  useEffect(() => {
    setData(null);
    setError(null);
    if (!exprs) return;
    const abort = new AbortController();
    Promise.all(exprs.map((q) => queryRange(q, win.start - offsetMs, win.end - offsetMs, win.step, abort.signal)))
      .then(setData)
      .catch((e: unknown) => {
        const p = loadProblem(e);
        if (p) setError(p);
      });
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key stands for exprs
  }, [key, win.start, win.end, win.step, offsetMs, reload]);
  return { data, error };
}
