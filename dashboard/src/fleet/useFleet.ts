import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, apiGet } from '../api/client';
import { getSession } from '../api/session';
import { mergeLive, parseFleet, type FleetColumns, type FleetNode, type FleetOverview, type LiveNode } from '../lib/fleet';
import { useLive } from '../live/LiveProvider';

/** How often the overview and the node list poll GET /api/v1/fleet/overview (the server rebuilds it every 2 s). */
export const FLEET_POLL_MS = 5000;

export interface FleetState {
  data: FleetOverview | null;
  error: string | null;
  /** Milliseconds from the request to parsed data of the last poll. */
  fetchMs: number | null;
  /** performance.now() when the poll that brought `data` started (update time = draw end minus this). */
  startedAt: number | null;
}

/**
 * One shared poller per tab: pages that show the fleet subscribe; the last answer is kept, so
 * moving between the overview and the node list shows data at once (server-state cache).
 */
const cache: { token?: string; state: FleetState; subscribers: Set<(s: FleetState) => void>; timer?: ReturnType<typeof setTimeout>; abort?: AbortController } = {
  state: { data: null, error: null, fetchMs: null, startedAt: null },
  subscribers: new Set(),
};

function publish(s: FleetState) {
  cache.state = s;
  for (const l of cache.subscribers) l(s);
}

async function poll() {
  cache.timer = undefined;
  const abort = new AbortController();
  cache.abort = abort;
  const started = performance.now();
  try {
    const cols = await apiGet<FleetColumns>('/api/v1/fleet/overview', abort.signal);
    const data = parseFleet(cols);
    publish({ data, error: null, fetchMs: Math.round(performance.now() - started), startedAt: started });
  } catch (e) {
    if ((e as Error).name === 'AbortError') return;
    if (e instanceof ApiError && e.status === 401) return;
    publish({ ...cache.state, error: e instanceof ApiError && e.status === 0 ? 'network' : (e as Error).message });
  }
  if (cache.subscribers.size > 0 && cache.abort === abort) cache.timer = setTimeout(() => void poll(), FLEET_POLL_MS);
}

export function useFleet(): FleetState {
  const [state, setState] = useState(cache.state);
  useEffect(() => {
    // Another sign-in must not see the previous one's fleet, even for a moment.
    const token = getSession()?.token;
    if (cache.token !== token) {
      cache.token = token;
      cache.state = { data: null, error: null, fetchMs: null, startedAt: null };
    }
    cache.subscribers.add(setState);
    setState(cache.state);
    if (cache.subscribers.size === 1) void poll();
    return () => {
      cache.subscribers.delete(setState);
      if (cache.subscribers.size === 0) {
        if (cache.timer !== undefined) clearTimeout(cache.timer);
        cache.timer = undefined;
        cache.abort?.abort();
        cache.abort = undefined;
      }
    };
  }, []);
  return state;
}

/**
 * The overview's nodes with the live feed laid over them (mergeLive), recomputed at most once a
 * second however fast samples arrive, so a 10,000-node list re-sorts once a second, not per batch.
 */
export function useFleetNodes(): FleetState & { nodes: FleetNode[] | null } {
  const fleet = useFleet();
  const { state } = useLive();
  const [live, setLive] = useState(state);
  const last = useRef(0);
  useEffect(() => {
    const wait = 1000 - (Date.now() - last.current);
    if (wait <= 0) {
      last.current = Date.now();
      setLive(state);
      return;
    }
    const timer = setTimeout(() => {
      last.current = Date.now();
      setLive(state);
    }, wait);
    return () => clearTimeout(timer);
  }, [state]);
  const nodes = useMemo(
    () => (fleet.data || live.loaded ? mergeLive(fleet.data, live.nodes as Record<string, LiveNode>) : null),
    [fleet.data, live],
  );
  return { ...fleet, nodes };
}
