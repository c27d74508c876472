import { getSession, setSession, type Session } from './session';

/** The server's answer to login, refresh and password change. */
interface TokenBody {
  token: string;
  expiresAt: number;
  refreshToken?: string;
  refreshExpiresAt?: number;
  username?: string;
  restricted?: 'change_password' | 'enroll_totp' | null;
  language?: string;
}

/** A session from a token answer, keeping the refresh token when the answer has none. */
export function sessionFrom(body: TokenBody, username: string, previous: Session | null): Session {
  return {
    token: body.token,
    expiresAt: body.expiresAt,
    username: body.username ?? username,
    refreshToken: body.refreshToken ?? previous?.refreshToken,
    refreshExpiresAt: body.refreshExpiresAt ?? previous?.refreshExpiresAt,
    restricted: body.restricted ?? null,
    language: body.language ?? previous?.language,
  };
}

let inFlight: Promise<boolean> | null = null;

/**
 * Trades the refresh token for a new access token (one request at a time). True when the
 * session goes on; false when it has ended (the caller then clears it).
 */
export function refreshSession(): Promise<boolean> {
  if (inFlight) return inFlight;
  const current = getSession();
  if (!current?.refreshToken) return Promise.resolve(false);
  inFlight = (async () => {
    try {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      });
      if (!res.ok) return false;
      setSession(sessionFrom((await res.json()) as TokenBody, current.username, current));
      return true;
    } catch {
      return false;
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

export type { TokenBody };
