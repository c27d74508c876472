import { apiFetch, apiGet } from './client';
import type { GroupModel } from '../lib/alertRules';
import type { BandSeries, Delivery, HistoryEntry, NotifierAlert, PromGroup, Receiver, Silence } from '../lib/alertView';

/** The alerting endpoints the dashboard uses (docs/api.md; shapes from AlertRulesApi and NotifyApi). */

export async function fetchPromRules(signal?: AbortSignal): Promise<PromGroup[]> {
  return (await apiGet<{ groups: PromGroup[] }>('/api/v1/rules', signal)).groups;
}

export function fetchNotifierAlerts(signal?: AbortSignal): Promise<NotifierAlert[]> {
  return apiGet<NotifierAlert[]>('/api/v1/alerting/alerts', signal);
}

export function acknowledge(fingerprint: string, comment: string): Promise<unknown> {
  return apiFetch(`/api/v1/alerts/${encodeURIComponent(fingerprint)}/ack`, { method: 'POST', body: { comment } });
}

export function unacknowledge(fingerprint: string): Promise<unknown> {
  return apiFetch(`/api/v1/alerts/${encodeURIComponent(fingerprint)}/ack`, { method: 'DELETE' });
}

export async function fetchHistory(query: string, signal?: AbortSignal): Promise<HistoryEntry[]> {
  return (await apiGet<{ changes: HistoryEntry[] }>(`/api/v1/alerts/history?${query}`, signal)).changes;
}

export async function fetchRuleGroups(signal?: AbortSignal): Promise<GroupModel[]> {
  return (await apiGet<{ groups: GroupModel[] }>('/api/v1/alert-rules', signal)).groups;
}

/** Creates or replaces one group (POST answers the saved groups). */
export function saveGroup(group: GroupModel, exists: boolean): Promise<unknown> {
  return exists
    ? apiFetch(`/api/v1/alert-rules/${encodeURIComponent(group.name)}`, { method: 'PUT', body: group })
    : apiFetch('/api/v1/alert-rules', { method: 'POST', body: group });
}

export function deleteGroup(name: string): Promise<unknown> {
  return apiFetch(`/api/v1/alert-rules/${encodeURIComponent(name)}`, { method: 'DELETE' });
}

/** Imports a Prometheus rule file as it is (groups of the same name are replaced). */
export async function importRuleFile(yaml: string): Promise<GroupModel[]> {
  return (await apiFetch<{ groups: GroupModel[] }>('/api/v1/alert-rules', { method: 'POST', text: yaml, contentType: 'application/yaml' })).groups;
}

export async function fetchBaseline(rule: string, series: string, startMs: number, endMs: number, stepSeconds: number, signal?: AbortSignal): Promise<BandSeries[]> {
  const p = new URLSearchParams({ rule, series, start: (startMs / 1000).toFixed(3), end: (endMs / 1000).toFixed(3), step: String(stepSeconds) });
  return (await apiGet<{ series: BandSeries[] }>(`/api/v1/alerts/baseline?${p.toString()}`, signal)).series;
}

export function fetchSilences(signal?: AbortSignal): Promise<Silence[]> {
  return apiGet<Silence[]>('/api/v1/silences', signal);
}

export async function createSilence(body: object): Promise<string> {
  return (await apiFetch<{ silenceID: string }>('/api/v1/silences', { method: 'POST', body })).silenceID;
}

export function expireSilence(id: string): Promise<unknown> {
  return apiFetch(`/api/v1/silences/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function fetchReceivers(signal?: AbortSignal): Promise<Receiver[]> {
  return apiGet<Receiver[]>('/api/v1/receivers', signal);
}

export async function fetchConfig(signal?: AbortSignal): Promise<string> {
  return (await apiGet<{ config: string }>('/api/v1/alerting/config', signal)).config;
}

export function saveConfig(text: string): Promise<unknown> {
  return apiFetch('/api/v1/alerting/config', { method: 'PUT', text, contentType: 'application/yaml' });
}

export function fetchDeliveries(receiver: string | undefined, limit: number, signal?: AbortSignal): Promise<Delivery[]> {
  const p = new URLSearchParams({ limit: String(limit) });
  if (receiver) p.set('receiver', receiver);
  return apiGet<Delivery[]>(`/api/v1/notifications?${p.toString()}`, signal);
}
