import { useEffect, useRef, useState } from 'react';
import { ApiError, apiGet } from '../api/client';
import { getSession } from '../api/session';
import { parseFleet, withLayout, type FleetColumns, type FleetNode, type FleetOverview } from '../lib/fleet';
import { useLive } from '../live/LiveProvider';
import type { NodesState } from '../lib/liveReducer';
import type { ScrollHold } from '../lib/scrollHold';

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
const cache: {
  token?: string;
  state: FleetState;
  /** The last answer with its layout columns: later polls ask for the changing columns only while the layout holds. */
  whole: FleetColumns | null;
  subscribers: Set<(s: FleetState) => void>;
  timer?: ReturnType<typeof setTimeout>;
  abort?: AbortController;
} = {
  state: { data: null, error: null, fetchMs: null, startedAt: null },
  whole: null,
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
    const known = cache.whole?.layout;
    const url = known ? `/api/v1/fleet/overview?layout=${encodeURIComponent(known)}` : '/api/v1/fleet/overview';
    const answer = await apiGet<FleetColumns>(url, abort.signal);
    if (answer?.layoutReused && answer.layout !== known) {
      // Cannot happen with a well-behaved server; ask again for everything rather than show a wrong node.
      cache.whole = null;
      throw new Error(`fleet overview: layout ${answer.layout} without its columns`);
    }
    const cols = withLayout(answer, cache.whole);
    if (!answer?.layoutReused) cache.whole = cols;
    const data = parseFleet(cols);
    publish({ data, error: null, fetchMs: Math.round(performance.now() - started), startedAt: started });
  } catch (e) {
    if ((e as Error).name === 'AbortError') return;
    if (e instanceof ApiError && e.status === 401) return;
    publish({ ...cache.state, error: e instanceof ApiError && e.status === 0 ? 'network' : (e as Error).message });
  }
  if (cache.subscribers.size > 0 && cache.abort === abort) cache.timer = setTimeout(() => void poll(), FLEET_POLL_MS);
}

/**
 * The shared poller's state. With `hold` (a scrolling list's ScrollHold) a poll that lands while the
 * list scrolls is applied once the scrolling stops (the newest one only).
 */
export function useFleet(hold?: ScrollHold): FleetState {
  const [state, setState] = useState(cache.state);
  useEffect(() => {
    const apply = hold ? (s: FleetState) => hold.run(() => setState(s)) : setState;
    // Another sign-in must not see the previous one's fleet, even for a moment.
    const token = getSession()?.token;
    if (cache.token !== token) {
      cache.token = token;
      cache.state = { data: null, error: null, fetchMs: null, startedAt: null };
      cache.whole = null;
    }
    cache.subscribers.add(apply);
    setState(cache.state);
    if (cache.subscribers.size === 1) void poll();
    return () => {
      cache.subscribers.delete(apply);
      if (cache.subscribers.size === 0) {
        if (cache.timer !== undefined) clearTimeout(cache.timer);
        cache.timer = undefined;
        cache.abort?.abort();
        cache.abort = undefined;
      }
    };
  }, [hold]);
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

/**
 * The overview's nodes, polled. Live figures are laid over the rows on screen only (overlayLive,
 * from the live feed subscribed to those rows): a list of 10,000 rows is not merged and re-sorted
 * every second, and a node that registers joins the list with the next poll (within 5 s).
 */
export function useFleetNodes(hold?: ScrollHold): FleetState & { nodes: FleetNode[] | null; since: number } {
  const fleet = useFleet(hold);
  return { ...fleet, nodes: fleet.data?.nodes ?? null, since: fleet.data?.generatedAt ?? 0 };
}
