import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { App as AntApp } from 'antd';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../../i18n';
import { clearSession, setSession } from '../../api/session';
import ReportsPage from './ReportsPage';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const ID = '0123456789abcdef0123456789abcdef';
const ENTRY = {
  id: ID, owner: 'alice', kinds: 'utilization,alerts', scope: 'all', start: '2026-11-01T00:00:00Z', end: '2026-11-08T00:00:00Z',
  language: 'en', format: 'pdf', createdAt: '2026-11-08T00:01:00Z', bytes: 820_000, pages: 9, nodes: 3, empty: false, readers: [], schedule: 'sch1',
};
const PREVIEW = {
  title: 'Infrastructure report', installation: 'lab', scope: 'All nodes', start: ENTRY.start, end: ENTRY.end, language: 'en', step: '15m', nodes: 3, empty: false,
  sections: [{
    kind: 'alerts', title: 'Alert summary', notes: ['Per rule and level.'],
    columns: [{ title: 'Rule', unit: 'text' }, { title: 'Mean time to acknowledge (s)', unit: 'seconds' }],
    rows: [[{ text: 'HighCPU' }, { value: 210, text: '3m 30s' }]],
  }],
};
const SCHEDULE = {
  id: 'sch1', owner: 'alice', name: 'Weekly', cadence: 'weekly', day: 1, at: '07:30', timezone: 'Asia/Tokyo', kind: ['utilization'],
  scope: { kind: 'all', value: '' }, language: 'en', recipients: [{ user: 'alice' }], nextRun: '2026-11-09T22:30:00Z', attempt: 0, lastError: null,
};

function type(el: HTMLInputElement | HTMLTextAreaElement, value: string) {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
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

const json = (data: unknown, status = 200) => new Response(JSON.stringify(status < 400 ? { status: 'success', data } : data), { status, headers: { 'Content-Type': 'application/json' } });

describe('reports page', () => {
  let container: HTMLDivElement;
  let root: Root;
  let calls: { method: string; url: string; body: unknown }[];

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    setSession({ token: 't', username: 'alice', expiresAt: Date.now() + 3_600_000 });
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
    calls = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? 'GET';
      calls.push({ method, url, body: init.body ? JSON.parse(init.body as string) : undefined });
      if (url === '/api/v1/reports') return json([ENTRY]);
      if (url === `/api/v1/reports/${ID}/preview`) return json(PREVIEW);
      if (url === '/api/v1/report-schedules' && method === 'GET') return json([SCHEDULE]);
      if (url === '/api/v1/report-schedules' && method === 'POST') {
        const body = JSON.parse(init.body as string) as { at: string };
        return body.at === '07:00' ? json({ ...SCHEDULE, id: 'sch2' }, 201)
          : json({ status: 'error', errorType: 'bad_data', error: 'timezone: "Mars/Olympus" (expected: an IANA zone such as Europe/Berlin)' }, 400);
      }
      if (url === '/api/v1/report-schedules/sch1/run') return json({ report: ID, sent: ['alice@example.org'], failed: {} });
      if (url === '/api/v1/me/email') return json({ email: 'alice@example.org' });
      return json({ status: 'error', error: `unexpected ${method} ${url}` }, 404);
    }));
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    vi.unstubAllGlobals();
    clearSession();
  });

  it('lists generated reports and previews one in its language', async () => {
    await act(async () => root.render(<AntApp><ReportsPage tab="history" /></AntApp>));
    const row = await waitFor(() => container.querySelector(`[data-testid="report-row-${ID}"]`), 'report row');
    expect(row.textContent).toContain('Utilization');
    expect(row.textContent).toContain('Alert summary');
    expect(row.textContent).toContain('Scheduled');
    expect(row.textContent).toContain('820 KB');
    await act(async () => container.querySelector<HTMLButtonElement>(`[data-testid="report-preview-${ID}"]`)!.click());
    const preview = await waitFor(() => document.querySelector('[data-testid="report-preview"]'), 'preview');
    await waitFor(() => preview.textContent?.includes('3m 30s'), 'preview table');
    expect(preview.textContent).toContain('Alert summary');
    expect(preview.textContent).toContain('Mean time to acknowledge (s)');
    expect(preview.textContent).toContain('HighCPU');
  });

  it('opens the preview of the report a mail links to (#/reports/<id>)', async () => {
    await act(async () => root.render(<AntApp><ReportsPage tab="history" id={ID} /></AntApp>));
    await waitFor(() => document.querySelector('[data-testid="preview-section-alerts"]'), 'preview section');
    expect(calls.some((c) => c.url === `/api/v1/reports/${ID}/preview`)).toBe(true);
  });

  it('lists schedules, runs one now and creates one with the server error shown when it refuses', async () => {
    await act(async () => root.render(<AntApp><ReportsPage tab="schedules" /></AntApp>));
    const row = await waitFor(() => container.querySelector('[data-testid="schedule-row-sch1"]'), 'schedule row');
    expect(row.textContent).toContain('Weekly Monday 07:30 (Asia/Tokyo)');
    expect(row.textContent).toContain('user:alice');
    await act(async () => container.querySelector<HTMLButtonElement>('[data-testid="schedule-run-sch1"]')!.click());
    await waitFor(() => document.body.textContent?.includes('Sent to 1 recipients'), 'run message');
    expect(calls.find((c) => c.url.endsWith('/run'))?.method).toBe('POST');

    await act(async () => container.querySelector<HTMLButtonElement>('[data-testid="schedule-new"]')!.click());
    const recipients = await waitFor(() => document.querySelector<HTMLTextAreaElement>('[data-testid="schedule-recipients"]'), 'recipients');
    await act(async () => {
      type(document.querySelector<HTMLInputElement>('[data-testid="schedule-name"]')!, 'Monthly for the CFO');
      type(document.querySelector<HTMLInputElement>('[data-testid="schedule-zone"]')!, 'Mars/Olympus');
      type(document.querySelector<HTMLInputElement>('[data-testid="schedule-at"]')!, '06:00');
      type(recipients, 'user:alice\ncfo@example.org ja-JP');
    });
    await act(async () => document.querySelector<HTMLButtonElement>('[data-testid="schedule-save"]')!.click());
    const error = await waitFor(() => document.querySelector('[data-testid="schedule-error"]'), 'server error');
    expect(error.textContent).toContain('timezone: "Mars/Olympus"');
    const post = calls.find((c) => c.method === 'POST' && c.url === '/api/v1/report-schedules');
    expect(post?.body).toMatchObject({
      name: 'Monthly for the CFO', cadence: 'weekly', day: 1, at: '06:00', timezone: 'Mars/Olympus', kind: ['utilization'],
      recipients: [{ user: 'alice' }, { address: 'cfo@example.org', language: 'ja-JP' }],
    });
  });

  it('checks the schedule form before sending', async () => {
    await act(async () => root.render(<AntApp><ReportsPage tab="schedules" /></AntApp>));
    await waitFor(() => container.querySelector('[data-testid="schedule-row-sch1"]'), 'schedule row');
    await act(async () => container.querySelector<HTMLButtonElement>('[data-testid="schedule-new"]')!.click());
    await waitFor(() => document.querySelector('[data-testid="schedule-at"]'), 'form');
    await act(async () => type(document.querySelector<HTMLInputElement>('[data-testid="schedule-at"]')!, '25:00'));
    await act(async () => document.querySelector<HTMLButtonElement>('[data-testid="schedule-save"]')!.click());
    const problems = await waitFor(() => document.querySelector('[data-testid="form-problems"]'), 'problems');
    expect(problems.textContent).toContain('Enter a time HH:MM from 00:00 to 23:59');
    expect(problems.textContent).toContain('Add at least one recipient');
    expect(calls.some((c) => c.method === 'POST' && c.url === '/api/v1/report-schedules')).toBe(false);
  });
});
