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

  it('signs in, lists nodes from REST and updates them from the live WebSocket', async () => {
    const sockets: FakeSocket[] = [];
    class FakeSocket {
      onmessage: ((ev: { data: string }) => void) | null = null;
      onopen: (() => void) | null = null;
      onclose: ((ev: { code: number }) => void) | null = null;
      constructor(readonly url: string) {
        sockets.push(this);
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
      return Response.json({ status: 'success', data: url === '/api/v1/nodes' ? [node] : [] });
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

    const row = await waitFor(() => container.querySelector('[data-testid="node-row-web-1"]'), 'node-row-web-1');
    expect(row.textContent).toContain('12.5%');
    expect(getSession()?.token).toBe('jwt-1');
    expect(sockets).toHaveLength(1);
    expect(sockets[0].url).toMatch(/^ws:\/\/[^/]+\/api\/v1\/live\?token=jwt-1$/);

    await act(async () => {
      sockets[0].emit({ type: 'snapshot', nodes: [node, { ...node, id: 'db-1', hostname: 'db-1' }] });
      sockets[0].emit({ type: 'sample', nodeId: 'web-1', t: Date.now(), cpuPercent: 77.7, memoryPercent: null });
    });
    await waitFor(() => container.querySelector('[data-testid="node-row-db-1"]'), 'node-row-db-1');
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
});
