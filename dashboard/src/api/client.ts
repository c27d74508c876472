import { clearSession, getSession, setSession, type Session } from './session';
import { refreshSession, sessionFrom, type TokenBody } from './auth';
import type { NodeInfo } from '../lib/types';
import type { MatrixSeries } from '../lib/series';

/** An API failure: HTTP status (0 for a network failure) and the server's message if any. */
export class ApiError extends Error {
  readonly status: number;
  readonly errorType: string | undefined;

  constructor(status: number, message: string, errorType?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errorType = errorType;
  }
}

async function readError(res: Response): Promise<ApiError> {
  let message = res.statusText || `HTTP ${res.status}`;
  let errorType: string | undefined;
  try {
    const body = (await res.json()) as { error?: string; errorType?: string };
    if (body.error) message = body.error;
    errorType = body.errorType;
  } catch {
    // not JSON
  }
  return new ApiError(res.status, message, errorType);
}

/**
 * A request with the session's bearer token. On 401 the access token is renewed once with the
 * refresh token; if that fails the session ends (the app then shows the login page).
 */
export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal; text?: string; contentType?: string } = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const session = getSession();
    if (!session) throw new ApiError(401, 'not signed in', 'unauthorized');
    let res: Response;
    try {
      const headers: Record<string, string> = { Authorization: `Bearer ${session.token}`, Accept: 'application/json' };
      if (init.body !== undefined) headers['Content-Type'] = 'application/json';
      // `text`: a body sent as it is (a YAML rule file or configuration) with its own content type.
      if (init.text !== undefined) headers['Content-Type'] = init.contentType ?? 'text/plain';
      res = await fetch(path, {
        method: init.method, headers, signal: init.signal,
        body: init.text !== undefined ? init.text : init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiError(0, (e as Error).message);
    }
    if (res.status === 401) {
      if (attempt === 0 && (await refreshSession())) continue;
      clearSession('expired');
      throw await readError(res);
    }
    if (!res.ok) throw await readError(res);
    const body = (await res.json()) as { status?: string; data?: unknown; error?: string; errorType?: string } & Partial<TokenBody>;
    if (body.status === 'error') throw new ApiError(res.status, body.error ?? 'error', body.errorType);
    return (body.data !== undefined ? body.data : body) as T;
  }
}

/** GET with the session's bearer token (see {@link apiFetch}). */
export function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  return apiFetch<T>(path, { signal });
}

/**
 * POST /api/v1/auth/login; stores the session on success. Throws ApiError(401) on bad
 * credentials (errorType totp_required when a second-factor code is needed) and 429 while locked.
 */
export function login(username: string, password: string, code?: string): Promise<Session> {
  return startSession('/api/v1/auth/login', code ? { username, password, code } : { username, password }, username);
}

/** POST /api/v1/auth/oidc/exchange: the one-time code of a single sign-on for a session (stored, like login). */
export function exchangeOidcCode(code: string): Promise<Session> {
  return startSession('/api/v1/auth/oidc/exchange', { code }, '');
}

/** Whether the server offers single sign-on (GET /api/v1/auth/oidc; false when it cannot tell). */
export async function oidcEnabled(): Promise<boolean> {
  try {
    const res = await fetch('/api/v1/auth/oidc', { headers: { Accept: 'application/json' } });
    if (!res.ok) return false;
    const body = (await res.json()) as { data?: { enabled?: boolean } };
    return body.data?.enabled === true;
  } catch {
    return false;
  }
}

async function startSession(path: string, body: object, username: string): Promise<Session> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, (e as Error).message);
  }
  if (!res.ok) throw await readError(res);
  const session = sessionFrom((await res.json()) as TokenBody, username, null);
  setSession(session);
  return session;
}

/** Ends this session on the server (best effort), then locally. */
export async function logout(): Promise<void> {
  const session = getSession();
  clearSession();
  if (!session) return;
  try {
    await fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${session.token}` } });
  } catch {
    // the access token expires soon anyway; the refresh token is gone with the session
  }
}

/** Changes the signed-in user's password; the server answers with a fresh access token. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const session = getSession();
  const body = await apiFetch<TokenBody>('/api/v1/auth/password', { method: 'POST', body: { currentPassword, newPassword } });
  if (session && body.token) setSession(sessionFrom(body, session.username, session));
}

/** Starts TOTP enrolment: the otpauth:// URI to show (as text or QR). */
export async function beginTotp(): Promise<string> {
  return (await apiFetch<{ otpauthUri: string }>('/api/v1/auth/totp/begin', { method: 'POST', body: {} })).otpauthUri;
}

/** Confirms TOTP with a current code; returns the one-time recovery codes. */
export async function confirmTotp(code: string): Promise<string[]> {
  return (await apiFetch<{ recoveryCodes: string[] }>('/api/v1/auth/totp/confirm', { method: 'POST', body: { code } })).recoveryCodes;
}

export function fetchNodes(signal?: AbortSignal): Promise<NodeInfo[]> {
  return apiGet<NodeInfo[]>('/api/v1/nodes', signal);
}

/** query_range over [startMs, endMs] with a step in seconds. */
export async function queryRange(query: string, startMs: number, endMs: number, stepSeconds: number, signal?: AbortSignal): Promise<MatrixSeries[]> {
  const params = new URLSearchParams({
    query,
    start: (startMs / 1000).toFixed(3),
    end: (endMs / 1000).toFixed(3),
    step: String(stepSeconds),
  });
  const data = await apiGet<{ resultType: string; result: MatrixSeries[] }>(`/api/v1/query_range?${params.toString()}`, signal);
  return data.resultType === 'matrix' ? data.result : [];
}
