import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, apiGet } from '../api/client';
import { getSession } from '../api/session';
import { mergeLive, parseFleet, type FleetColumns, type FleetNode, type FleetOverview, type LiveNode } from '../lib/fleet';
import { useLive } from '../live/LiveProvider';
import type { NodesState } from '../lib/liveReducer';

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
 * Reports the live feed's node state to `onChange` at most once a second. A component of its own:
 * the live context changes every 100 ms on a big fleet, and only this empty element re-renders
 * that often, not the page that shows the nodes.
 */
export function LiveThrottle({ onChange }: { onChange: (s: NodesState) => void }) {
  const { state } = useLive();
  const last = useRef(0);
  useEffect(() => {
    const wait = 1000 - (Date.now() - last.current);
    const fire = () => {
      last.current = Date.now();
      onChange(state);
    };
    if (wait <= 0) {
      fire();
      return;
    }
    const timer = setTimeout(fire, wait);
    return () => clearTimeout(timer);
  }, [state, onChange]);
  return null;
}

/** The overview's nodes with the live feed (given by LiveThrottle) laid over them (mergeLive). */
export function useFleetNodes(live: NodesState): FleetState & { nodes: FleetNode[] | null } {
  const fleet = useFleet();
  const nodes = useMemo(
    () => (fleet.data || live.loaded ? mergeLive(fleet.data, live.nodes as Record<string, LiveNode>) : null),
    [fleet.data, live],
  );
  return { ...fleet, nodes };
}
