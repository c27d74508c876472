import { apiFetch, apiGet } from './client';
import type { DashboardDoc, DashboardSummary, StoredDashboard } from '../lib/dashboards';
import type { MatrixSeries } from '../lib/series';

const BASE = '/api/v1/dashboards';

export function listDashboards(signal?: AbortSignal): Promise<DashboardSummary[]> {
  return apiGet<DashboardSummary[]>(BASE, signal);
}

export function getDashboard(id: string, signal?: AbortSignal): Promise<StoredDashboard> {
  return apiGet<StoredDashboard>(`${BASE}/${encodeURIComponent(id)}`, signal);
}

export function createDashboard(doc: DashboardDoc, shared: boolean): Promise<StoredDashboard> {
  return apiFetch<StoredDashboard>(BASE, { method: 'POST', body: { ...doc, shared } });
}

export function saveDashboard(id: string, doc: DashboardDoc, shared: boolean, version: number): Promise<StoredDashboard> {
  return apiFetch<StoredDashboard>(`${BASE}/${encodeURIComponent(id)}`, { method: 'PUT', body: { ...doc, shared, version } });
}

export function deleteDashboard(id: string): Promise<unknown> {
  return apiFetch(`${BASE}/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export interface VectorSample { metric: Record<string, string>; value: [number, string] }

/** An instant query (stat, gauge, table and pie panels). */
export async function queryInstant(query: string, timeMs: number, signal?: AbortSignal): Promise<VectorSample[]> {
  const params = new URLSearchParams({ query, time: (timeMs / 1000).toFixed(3) });
  const data = await apiGet<{ resultType: string; result: unknown }>(`/api/v1/query?${params.toString()}`, signal);
  if (data.resultType === 'vector') return data.result as VectorSample[];
  if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
  if (data.resultType === 'matrix') return (data.result as MatrixSeries[]).map((s) => ({ metric: s.metric, value: s.values[s.values.length - 1] ?? [0, 'NaN'] }));
  return [];
}

/** Values of a label, optionally among series matching a selector (template variables). */
export function labelValues(label: string, match: string | null, startMs: number, endMs: number, signal?: AbortSignal): Promise<string[]> {
  const params = new URLSearchParams({ start: (startMs / 1000).toFixed(0), end: (endMs / 1000).toFixed(0) });
  if (match) params.append('match[]', match);
  return apiGet<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values?${params.toString()}`, signal);
}
