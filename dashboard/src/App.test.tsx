import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from './i18n';
import { App } from './App';
import { clearSession, getSession } from './api/session';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function type(input: HTMLInputElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  setter.call(input, value);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

async function waitFor<T>(probe: () => T | null | undefined, what: string): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const v = probe();
    if (v) return v;
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
  }
  throw new Error(`not found: ${what}`);
}

describe('login page', () => {
  let container: HTMLDivElement;
  let root: Root;

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    vi.unstubAllGlobals();
    clearSession();
  });

  it('shows the invalid-credentials message on 401 and stays signed out', async () => {
    const fetchMock = vi.fn(async () => new Response(
      JSON.stringify({ status: 'error', errorType: 'unauthorized', error: 'invalid username or password' }),
      { status: 401, headers: { 'Content-Type': 'application/json' } },
    ));
    vi.stubGlobal('fetch', fetchMock);
    await act(async () => root.render(<App />));

    const user = container.querySelector<HTMLInputElement>('[data-testid="login-username"]')!;
    const password = container.querySelector<HTMLInputElement>('[data-testid="login-password"]')!;
    expect(user).not.toBeNull();
    expect(password).not.toBeNull();
    await act(async () => {
      type(user, 'admin');
      type(password, 'wrong');
    });
    await act(async () => {
      container.querySelector<HTMLButtonElement>('[data-testid="login-submit"]')!.click();
    });

    const error = await waitFor(() => container.querySelector('[data-testid="login-error"]'), 'login-error');
    expect(error.textContent).toContain('Invalid username or password');
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/auth/login', expect.objectContaining({
      method: 'POST',
      body: JSON.stringify({ username: 'admin', password: 'wrong' }),
    }));
    expect(getSession()).toBeNull();
  }, 30_000);

  it('signs in, lists nodes from REST and updates the rows on screen from the live WebSocket', async () => {
    const sockets: FakeSocket[] = [];
    class FakeSocket {
      onmessage: ((ev: { data: string }) => void) | null = null;
      onopen: (() => void) | null = null;
      onclose: ((ev: { code: number }) => void) | null = null;
      readyState = 0;
      readonly sent: string[] = [];
      constructor(readonly url: string) {
        sockets.push(this);
      }
      send(text: string) {
        this.sent.push(text);
      }
      close() {}
      emit(msg: unknown) {
        this.onmessage?.({ data: JSON.stringify(msg) });
      }
    }
    vi.stubGlobal('WebSocket', FakeSocket);
    const node = { id: 'web-1', hostname: 'web-1', os: 'Linux', agentVersion: '0.1.0', labels: { env: 'prod' }, status: 'online', lastSeen: Date.now(), cpuPercent: 12.5, memoryPercent: 40.1 };
    const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/api/v1/auth/login') {
        return Response.json({ token: 'jwt-1', expiresAt: Date.now() + 60_000, username: 'admin' });
      }
      expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer jwt-1');
      if (url === '/api/v1/fleet/overview') {
        return Response.json({ status: 'success', data: { generatedAt: 0, total: 1, truncated: false,
          summary: { status: { online: 1 }, kind: { agent: 1 } },
          nodes: { id: ['web-1'], hostname: ['web-1'], kind: ['agent'], os: ['Linux'], status: ['online'], group: [null],
            labels: [{ env: 'prod' }], cpu: [12.5], memory: [40.1], disk: [null], netBytesPerSec: [null] } } });
      }
      return Response.json({ status: 'success', data: url === '/api/v1/nodes' ? [node] : [] });
    });
    vi.stubGlobal('fetch', fetchMock);
    window.location.hash = '#/nodes';
    await act(async () => root.render(<App />));

    await act(async () => {
      type(container.querySelector<HTMLInputElement>('[data-testid="login-username"]')!, 'admin');
      type(container.querySelector<HTMLInputElement>('[data-testid="login-password"]')!, 'secret');
    });
    await act(async () => {
      container.querySelector<HTMLButtonElement>('[data-testid="login-submit"]')!.click();
    });

    const row = await waitFor(() => container.querySelector('[data-testid="node-row-web-1"]'), 'node-row-web-1');
    expect(row.textContent).toContain('12.5%');
    expect(getSession()?.token).toBe('jwt-1');
    expect(sockets).toHaveLength(1);
    expect(sockets[0].url).toMatch(/^ws:\/\/[^/]+\/api\/v1\/live\?token=jwt-1&subscribe=none$/);

    // Once open, the socket is asked for the nodes of the rows on screen only.
    await act(async () => {
      sockets[0].readyState = 1;
      sockets[0].onopen?.();
    });
    expect(sockets[0].sent).toEqual(['{"type":"subscribe","nodes":["web-1"]}']);
    await act(async () => {
      sockets[0].emit({ type: 'snapshot', nodes: [node] });
      sockets[0].emit({ type: 'sample', nodeId: 'web-1', t: Date.now(), cpuPercent: 77.7, memoryPercent: null });
    });
    const updated = await waitFor(() => {
      const r = container.querySelector('[data-testid="node-row-web-1"]');
      return r?.textContent?.includes('77.7%') ? r : null;
    }, 'web-1 with 77.7%');
    expect(updated.textContent).toContain('40.1%');

    await act(async () => sockets[0].onclose?.({ code: 4401 }));
    await waitFor(() => container.querySelector('[data-testid="login-username"]'), 'login page after 4401');
    expect(getSession()).toBeNull();
    expect(container.querySelector('[data-testid="login-error"]')?.textContent).toContain('session has expired');
  }, 30_000);

  it('offers single sign-on and exchanges the one-time code it comes back with', async () => {
    window.location.hash = '#/login/oidc?code=one-time';
    const fetchMock = vi.fn(async (url: string) => {
      if (url === '/api/v1/auth/oidc') return new Response(JSON.stringify({ status: 'success', data: { enabled: true } }));
      if (url === '/api/v1/auth/oidc/exchange') {
        return new Response(JSON.stringify({ token: 't', expiresAt: Date.now() + 600_000, refreshToken: 'r',
          refreshExpiresAt: Date.now() + 3_600_000, username: 'alice', role: 'operator', language: 'en', restricted: null }));
      }
      return new Response(JSON.stringify({ status: 'success', data: [] }));
    });
    vi.stubGlobal('fetch', fetchMock);
    await act(async () => root.render(<App />));

    await waitFor(() => getSession()?.username === 'alice', 'session of alice');
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/auth/oidc/exchange', expect.objectContaining({
      method: 'POST', body: JSON.stringify({ code: 'one-time' }),
    }));
    expect(window.location.hash).not.toContain('one-time');
  }, 30_000);

  it('shows why single sign-on was refused', async () => {
    window.location.hash = '#/login/oidc?error=' + encodeURIComponent('single sign-on refused: no group');
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ status: 'success', data: { enabled: true } }))));
    await act(async () => root.render(<App />));

    const error = await waitFor(() => container.querySelector('[data-testid="login-error"]'), 'login-error');
    expect(error.textContent).toContain('Single sign-on failed: single sign-on refused: no group');
    expect(container.querySelector('[data-testid="login-sso"]')).not.toBeNull();
    expect(getSession()).toBeNull();
  }, 30_000);

  it('renews an expired access token with the refresh token and retries', async () => {
    vi.stubGlobal('WebSocket', class { onmessage = null; onopen = null; onclose = null; close() {} });
    const calls: string[] = [];
    const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
      calls.push(url);
      if (url === '/api/v1/auth/login') {
        return Response.json({ token: 'old', expiresAt: Date.now() + 60_000, refreshToken: 'r1', refreshExpiresAt: Date.now() + 3_600_000, username: 'admin' });
      }
      if (url === '/api/v1/auth/refresh') {
        expect(init?.body).toBe(JSON.stringify({ refreshToken: 'r1' }));
        return Response.json({ token: 'new', expiresAt: Date.now() + 60_000, refreshToken: 'r2', refreshExpiresAt: Date.now() + 3_600_000, username: 'admin' });
      }
      const auth = (init?.headers as Record<string, string>).Authorization;
      if (auth !== 'Bearer new') {
        return Response.json({ status: 'error', errorType: 'unauthorized', error: 'expired' }, { status: 401 });
      }
      return Response.json({ status: 'success', data: [] });
    });
    vi.stubGlobal('fetch', fetchMock);
    await act(async () => root.render(<App />));
    await act(async () => {
      type(container.querySelector<HTMLInputElement>('[data-testid="login-username"]')!, 'admin');
      type(container.querySelector<HTMLInputElement>('[data-testid="login-password"]')!, 'secret');
    });
    await act(async () => {
      container.querySelector<HTMLButtonElement>('[data-testid="login-submit"]')!.click();
    });
    await waitFor(() => (getSession()?.token === 'new' ? true : null), 'renewed token');
    expect(getSession()?.refreshToken).toBe('r2');
    expect(calls.filter((c) => c === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(container.querySelector('[data-testid="login-username"]')).toBeNull();
  }, 30_000);

  it('asks for a new password first when the account must change it', async () => {
    vi.stubGlobal('WebSocket', class { onmessage = null; onopen = null; onclose = null; close() {} });
    const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/api/v1/auth/login') {
        return Response.json({ token: 't1', expiresAt: Date.now() + 60_000, refreshToken: 'r1', username: 'zoe', restricted: 'change_password' });
      }
      if (url === '/api/v1/auth/password') {
        expect(init?.body).toBe(JSON.stringify({ currentPassword: 'Old-Passw0rd-1', newPassword: 'N3w-and-Better-Pw' }));
        return Response.json({ token: 't2', expiresAt: Date.now() + 60_000, username: 'zoe', restricted: null });
      }
      return Response.json({ status: 'success', data: [] });
    });
    vi.stubGlobal('fetch', fetchMock);
    await act(async () => root.render(<App />));
    await act(async () => {
      type(container.querySelector<HTMLInputElement>('[data-testid="login-username"]')!, 'zoe');
      type(container.querySelector<HTMLInputElement>('[data-testid="login-password"]')!, 'Old-Passw0rd-1');
    });
    await act(async () => {
      container.querySelector<HTMLButtonElement>('[data-testid="login-submit"]')!.click();
    });
    const current = await waitFor(() => container.querySelector<HTMLInputElement>('[data-testid="setup-current"]'), 'setup page');
    await act(async () => {
      type(current, 'Old-Passw0rd-1');
      type(container.querySelector<HTMLInputElement>('[data-testid="setup-new"]')!, 'N3w-and-Better-Pw');
      type(container.querySelector<HTMLInputElement>('[data-testid="setup-confirm"]')!, 'N3w-and-Better-Pw');
    });
    await act(async () => {
      container.querySelector<HTMLButtonElement>('[data-testid="setup-submit"]')!.click();
    });
    await waitFor(() => (getSession()?.token === 't2' ? true : null), 'session after password change');
    expect(getSession()?.restricted).toBeNull();
    expect(getSession()?.refreshToken).toBe('r1');
    await waitFor(() => (container.querySelector('[data-testid="setup-current"]') ? null : true), 'setup page gone');
  }, 30_000);

  it('switches to the language the user chose on the server after signing in', async () => {
    vi.stubGlobal('WebSocket', class { onmessage = null; onopen = null; onclose = null; close() {} });
    vi.stubGlobal('fetch', vi.fn(async (url: string) => (url === '/api/v1/auth/login'
      ? Response.json({ token: 't', expiresAt: Date.now() + 60_000, username: 'kenji', language: 'ja-JP' })
      : Response.json({ status: 'success', data: [] }))));
    await act(async () => root.render(<App />));
    await act(async () => {
      type(container.querySelector<HTMLInputElement>('[data-testid="login-username"]')!, 'kenji');
      type(container.querySelector<HTMLInputElement>('[data-testid="login-password"]')!, 'secret');
    });
    await act(async () => {
      container.querySelector<HTMLButtonElement>('[data-testid="login-submit"]')!.click();
    });
    await waitFor(() => (i18n.language === 'ja-JP' ? true : null), 'Japanese after login');
    expect(container.querySelector('[data-testid="logout"]')?.textContent).toContain('ログアウト');
  }, 30_000);
});
