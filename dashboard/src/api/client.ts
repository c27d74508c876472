import { clearSession, getSession, setSession, type Session } from './session';
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

/** GET with the session's bearer token; a 401 ends the session (the app then shows the login page). */
export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  const session = getSession();
  if (!session) throw new ApiError(401, 'not signed in', 'unauthorized');
  let res: Response;
  try {
    res = await fetch(path, { headers: { Authorization: `Bearer ${session.token}`, Accept: 'application/json' }, signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, (e as Error).message);
  }
  if (res.status === 401) {
    clearSession('expired');
    throw await readError(res);
  }
  if (!res.ok) throw await readError(res);
  const body = (await res.json()) as { status?: string; data?: unknown; error?: string; errorType?: string };
  if (body.status === 'error') throw new ApiError(res.status, body.error ?? 'error', body.errorType);
  return body.data as T;
}

/** POST /api/v1/auth/login; stores the session on success. Throws ApiError(401) on bad credentials. */
export async function login(username: string, password: string): Promise<Session> {
  let res: Response;
  try {
    res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch (e) {
    throw new ApiError(0, (e as Error).message);
  }
  if (!res.ok) throw await readError(res);
  const body = (await res.json()) as { token: string; expiresAt: number; username?: string };
  const session: Session = { token: body.token, expiresAt: body.expiresAt, username: body.username ?? username };
  setSession(session);
  return session;
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
