import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import { ApiError, fetchNodes } from '../api/client';
import { clearSession, type Session } from '../api/session';
import { refreshSession } from '../api/auth';
import { applyBatch, initialNodesState, parseLiveMessage, type NodesState } from '../lib/liveReducer';
import type { LiveMessage, SampleMessage } from '../lib/types';
import { NodeInterest, subscribeFrame } from './interest';

export type LiveStatus = 'connecting' | 'connected' | 'reconnecting';

interface LiveContextValue {
  state: NodesState;
  status: LiveStatus;
  loadError: string | null;
  /** Calls the listener for every live sample until the returned function is called. */
  subscribeSamples: (listener: (s: SampleMessage) => void) => () => void;
}

const LiveContext = createContext<LiveContextValue | null>(null);
/** Stable (never changes with the live state): registers the nodes a component wants live data for. */
const WatchContext = createContext<((ids: readonly string[]) => () => void) | null>(null);
/** How long a change of the wanted nodes waits to be sent (a list scrolling changes them every frame). */
const SUBSCRIBE_DELAY_MS = 150;
/** WebSocket.OPEN. */
const SOCKET_OPEN = 1;

/** Close code the server uses when the token is invalid or expired. */
export const CLOSE_UNAUTHORIZED = 4401;
const MAX_BACKOFF_MS = 30_000;

/** Delay before reconnect attempt `attempt` (0-based): 1 s doubling to 30 s, with up to 25 % jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.75 + 0.25 * random()));
}

/**
 * The live feed's address. It starts subscribed to no node: pages name the nodes they show
 * (useLiveNodes), and the server sends those nodes' samples and status only.
 */
export function liveUrl(loc: Pick<Location, 'protocol' | 'host'>, token: string): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/v1/live?token=${encodeURIComponent(token)}&subscribe=none`;
}

type Action = { type: 'batch'; messages: LiveMessage[] };

function batchReducer(state: NodesState, action: Action): NodesState {
  return applyBatch(state, action.messages);
}

export function LiveProvider({ session, children }: { session: Session; children: ReactNode }) {
  const [state, dispatch] = useReducer(batchReducer, initialNodesState);
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [loadError, setLoadError] = useState<string | null>(null);
  const listeners = useRef(new Set<(s: SampleMessage) => void>());
  const interest = useRef(new NodeInterest());
  /** Sends the wanted nodes to the current socket soon (set by the connection's effect). */
  const interestChanged = useRef<() => void>(() => {});

  useEffect(() => {
    let disposed = false;
    let ws: WebSocket | null = null;
    let attempt = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let queue: LiveMessage[] = [];
    const abort = new AbortController();
    let wsSnapshots = 0;
    let sentKey = '';
    let subscribeTimer: ReturnType<typeof setTimeout> | undefined;
    const sendInterest = () => {
      subscribeTimer = undefined;
      if (disposed || !ws || ws.readyState !== SOCKET_OPEN) return;
      const ids = interest.current.union();
      const key = ids.join('\n');
      if (key === sentKey) return;
      sentKey = key;
      ws.send(subscribeFrame(ids));
    };
    interestChanged.current = () => {
      if (subscribeTimer === undefined) subscribeTimer = setTimeout(sendInterest, SUBSCRIBE_DELAY_MS);
    };

    // Messages are applied in batches so a large fleet does not re-render per message: every 100 ms,
    // and on a fleet of more than 1,000 nodes every nodes/10 ms up to 1 s (each batch copies the node
    // map: 10,000 nodes every 100 ms took a quarter of the main thread). Live chart points do not wait
    // for a batch (subscribeSamples).
    let flushMs = 100;
    const flush = () => {
      flushTimer = undefined;
      const messages = queue;
      queue = [];
      if (messages.length > 0 && !disposed) dispatch({ type: 'batch', messages });
    };
    const enqueue = (m: LiveMessage) => {
      queue.push(m);
      if (m.type === 'snapshot') {
        flushMs = Math.min(1000, Math.max(100, Math.round(m.nodes.length / 10)));
        flush();
      } else if (flushTimer === undefined) flushTimer = setTimeout(flush, flushMs);
    };

    const refresh = async (): Promise<boolean> => {
      const seenBefore = wsSnapshots;
      try {
        const nodes = await fetchNodes(abort.signal);
        if (disposed) return false;
        // A WebSocket snapshot that arrived meanwhile is newer: keep it.
        if (wsSnapshots === seenBefore) enqueue({ type: 'snapshot', nodes });
        setLoadError(null);
        return true;
      } catch (e) {
        if (disposed || (e as Error).name === 'AbortError') return false;
        if (e instanceof ApiError && e.status === 401) return false; // session cleared; the app shows the login page
        setLoadError(e instanceof ApiError && e.status === 0 ? 'network' : (e as Error).message);
        return true;
      }
    };

    const connect = () => {
      if (disposed) return;
      const socket = new WebSocket(liveUrl(window.location, session.token));
      ws = socket;
      socket.onmessage = (ev) => {
        if (typeof ev.data !== 'string') return;
        const msg = parseLiveMessage(ev.data);
        if (!msg) {
          if (ev.data.startsWith('{"type":"error"')) console.warn('live feed:', ev.data);
          return;
        }
        if (msg.type === 'snapshot') {
          attempt = 0;
          wsSnapshots++;
          setStatus('connected');
          setLoadError(null);
        }
        enqueue(msg);
        if (msg.type === 'sample') for (const l of listeners.current) l(msg);
      };
      socket.onopen = () => {
        setStatus('connected');
        sentKey = ''; // a new socket starts subscribed to nothing
        sendInterest();
      };
      socket.onclose = (ev) => {
        if (disposed || ws !== socket) return;
        ws = null;
        if (ev.code === CLOSE_UNAUTHORIZED) {
          // A new access token re-keys this provider (App keys it by token); else the session is over.
          void refreshSession().then((renewed) => {
            if (!renewed) clearSession('expired');
          });
          return;
        }
        setStatus('reconnecting');
        const delay = backoffDelay(attempt++);
        retryTimer = setTimeout(() => {
          // A refresh tells a dead token (401: log out) from a server that is away (retry later).
          void refresh().then((goOn) => {
            if (goOn) connect();
          });
        }, delay);
      };
    };

    // No REST snapshot first: the socket's own snapshot comes at once, and fetching the whole fleet
    // twice slowed the first page on a large fleet. A socket that closes takes the REST path below.
    connect();
    return () => {
      disposed = true;
      abort.abort();
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      clearTimeout(subscribeTimer);
      interestChanged.current = () => {};
      if (ws) ws.close(1000, 'bye');
      ws = null;
    };
  }, [session.token]);

  const subscribeSamples = useCallback((listener: (s: SampleMessage) => void) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  const watch = useCallback((ids: readonly string[]) => {
    const handle = interest.current.add(ids);
    interestChanged.current();
    return () => {
      interest.current.remove(handle);
      interestChanged.current();
    };
  }, []);

  const value = useMemo(() => ({ state, status, loadError, subscribeSamples }), [state, status, loadError, subscribeSamples]);
  return (
    <WatchContext.Provider value={watch}>
      <LiveContext.Provider value={value}>{children}</LiveContext.Provider>
    </WatchContext.Provider>
  );
}

/**
 * Asks the live feed for these nodes' samples and status while the component is mounted (the
 * union over all components is subscribed). Does not re-render with the live state.
 */
export function useLiveNodes(ids: readonly string[]): void {
  const watch = useContext(WatchContext);
  if (!watch) throw new Error('useLiveNodes: no LiveProvider above this component');
  const key = ids.join('\n');
  useEffect(() => watch(key === '' ? [] : key.split('\n')), [key, watch]);
}

export function useLive(): LiveContextValue {
  const v = useContext(LiveContext);
  if (!v) throw new Error('useLive: no LiveProvider above this component');
  return v;
}

/** The current time, re-read every `intervalMs` so relative times stay fresh. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
