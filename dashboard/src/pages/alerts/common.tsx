import { useCallback, useEffect, useRef, useState } from 'react';
import { Space, Tag, Tooltip } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { levelColor } from '../../lib/alertView';

/** A message for a failed request: network, missing permission, or the server's own words. */
export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('errors.network');
    if (e.status === 403) return t('alerts.common.forbidden', { error: e.message });
  }
  return (e as Error).message;
}

/**
 * Loads with `load` now and every `intervalMs` (0: once), keeping the last good data while a
 * reload runs; `reload` loads again at once, as does a new `key`. Requests of an unmounted page are aborted.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, key: unknown = null) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    loadRef.current(abort.signal)
      .then((d) => { setData(d); setError(null); })
      .catch((e: unknown) => {
        if ((e as Error).name === 'AbortError') return;
        if (e instanceof ApiError && e.status === 401) return; // the session ends; the login page shows
        setError(e);
      })
      .finally(() => { if (!abort.signal.aborted) setLoading(false); });
    const timer = intervalMs > 0 ? setTimeout(() => setTick((n) => n + 1), intervalMs) : undefined;
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [tick, intervalMs, key]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

export function LevelTag({ level }: { level: string }) {
  const { t } = useTranslation();
  if (!level) return <span>–</span>;
  const known = ['critical', 'warning', 'info'].includes(level);
  return <Tag color={levelColor(level)} data-testid="alert-level">{known ? t(`alerts.levels.${level}`) : level}</Tag>;
}

export function StateTag({ state }: { state: string }) {
  const { t } = useTranslation();
  const color = ({ firing: 'red', pending: 'gold', inactive: 'default', resolved: 'green' } as Record<string, string>)[state] ?? 'default';
  const known = ['firing', 'pending', 'inactive', 'resolved'].includes(state);
  return <Tag color={color} data-testid="alert-state">{known ? t(`alerts.states.${state}`) : state}</Tag>;
}

export function LabelList({ labels, skip = [] }: { labels: Record<string, string>; skip?: string[] }) {
  const entries = Object.entries(labels).filter(([k]) => !skip.includes(k)).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Space size={[4, 4]} wrap>
      {entries.map(([k, v]) => (
        <Tooltip key={k} title={`${k}="${v}"`}>
          <Tag variant="filled" color="blue" style={{ maxWidth: 260, overflow: 'hidden', textOverflow: 'ellipsis' }}>{`${k}=${v}`}</Tag>
        </Tooltip>
      ))}
    </Space>
  );
}

/** An absolute local time (the alerting pages show when things happened, not only how long ago). */
export function formatTime(ms: number, lang: string): string {
  if (!Number.isFinite(ms) || ms <= 0) return '–';
  return new Date(ms).toLocaleString(lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
