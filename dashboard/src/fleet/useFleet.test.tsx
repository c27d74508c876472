import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearSession, setSession } from '../api/session';
import { ScrollHold } from '../lib/scrollHold';
import { FLEET_POLL_MS, useFleet } from './useFleet';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** GET /api/v1/fleet/overview as the server answers it: two nodes, generatedAt counting polls (1, 2, ...). */
function overview(poll: number) {
  const ids = ['a', 'b'];
  return {
    status: 'success',
    data: {
      generatedAt: poll, total: 2, truncated: false, layout: `layout-${poll}`,
      summary: { status: { online: 2 }, kind: { agent: 2 } },
      nodes: {
        id: ids, hostname: ids, kind: ['agent', 'agent'], os: ['Linux', 'Linux'], status: ['online', 'online'],
        group: ['g', 'g'], labels: [{}, {}], cpu: [poll, poll], memory: [1, 1], disk: [1, 1], netBytesPerSec: [1, 1],
      },
    },
  };
}

function Probe({ hold }: { hold: ScrollHold }) {
  const { data } = useFleet(hold);
  return <span data-testid="generated">{data ? String(data.generatedAt) : 'none'}</span>;
}

describe('useFleet with a ScrollHold', () => {
  let container: HTMLDivElement;
  let root: Root;
  let polls = 0;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    polls = 0;
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(overview(++polls)), { status: 200, headers: { 'Content-Type': 'application/json' } })));
    setSession({ token: 't', username: 'admin', expiresAt: Date.now() + 3_600_000 });
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    vi.unstubAllGlobals();
    vi.useRealTimers();
    clearSession();
  });

  const shown = () => container.querySelector('[data-testid="generated"]')?.textContent;
  const advance = (ms: number) => act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });

  it('poll_whileTheListScrolls_isShownOnceScrollingStops', async () => {
    const hold = new ScrollHold(250, 5000);
    await act(async () => root.render(<Probe hold={hold} />));
    await advance(0);
    expect(shown()).toBe('1');

    // The next poll lands while the list scrolls (a scroll event every 16 ms): the page keeps the old data.
    hold.scrolled();
    for (let t = 0; t < FLEET_POLL_MS + 200; t += 16) {
      hold.scrolled();
      await advance(16);
    }
    expect(polls).toBe(2);
    expect(shown()).toBe('1');

    // 250 ms after the last scroll event the held poll is applied.
    await advance(260);
    expect(shown()).toBe('2');
  });

  it('poll_atRest_isShownAtOnce', async () => {
    const hold = new ScrollHold(250, 5000);
    await act(async () => root.render(<Probe hold={hold} />));
    await advance(0);
    expect(shown()).toBe('1');
    await advance(FLEET_POLL_MS + 10);
    expect(polls).toBe(2);
    expect(shown()).toBe('2');
  });
});
