import { useSyncExternalStore } from 'react';

/**
 * The signed-in session, kept in sessionStorage so it ends with the tab. `token` is a
 * short-lived access token; `refreshToken` gets the next one (the server ends the session on
 * logout, "log out everywhere" or 8 h without activity). `restricted` says what the user must do
 * before anything else: change the password or enroll a second factor.
 */
export interface Session {
  token: string;
  username: string;
  expiresAt: number;
  refreshToken?: string;
  refreshExpiresAt?: number;
  restricted?: 'change_password' | 'enroll_totp' | null;
  /** The user's preferred language (en, zh-CN, ja-JP), kept on the server. */
  language?: string;
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
    const until = typeof s.refreshExpiresAt === 'number' ? s.refreshExpiresAt : s.expiresAt;
    if (typeof until === 'number' && until <= Date.now()) return null;
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
