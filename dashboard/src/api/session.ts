import { useSyncExternalStore } from 'react';

/** The signed-in session, kept in sessionStorage so it ends with the tab. */
export interface Session {
  token: string;
  username: string;
  expiresAt: number;
}

const KEY = 'syslens.session';
const listeners = new Set<() => void>();
let current: Session | null = load();
/** Why the last session ended, shown once on the login page. */
let endReason: 'expired' | null = null;

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (typeof s.token !== 'string' || s.token === '') return null;
    if (typeof s.expiresAt === 'number' && s.expiresAt <= Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

function emit(): void {
  for (const l of listeners) l();
}

export function getSession(): Session | null {
  return current;
}

export function setSession(s: Session): void {
  current = s;
  endReason = null;
  try {
    sessionStorage.setItem(KEY, JSON.stringify(s));
  } catch {
    // storage unavailable: the session lives in memory only
  }
  emit();
}

/** Ends the session; `expired` when the server rejected the token (401). */
export function clearSession(reason: 'expired' | null = null): void {
  if (current === null && reason === null) return;
  current = null;
  endReason = reason;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // ignore
  }
  emit();
}

export function takeEndReason(): 'expired' | null {
  const r = endReason;
  endReason = null;
  return r;
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession, getSession);
}
