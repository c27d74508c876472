import { apiFetch, apiGet, ApiError } from './client';
import { getSession } from './session';
import { reportFileName, type Preview, type ReportEntry, type Schedule } from '../lib/reports';

/** The report endpoints the dashboard uses (docs/reports.md). */

export function fetchReports(signal?: AbortSignal): Promise<ReportEntry[]> {
  return apiGet<ReportEntry[]>('/api/v1/reports', signal);
}

export function fetchPreview(id: string, signal?: AbortSignal): Promise<Preview> {
  return apiGet<Preview>(`/api/v1/reports/${encodeURIComponent(id)}/preview`, signal);
}

export function fetchReport(id: string, signal?: AbortSignal): Promise<ReportEntry> {
  return apiGet<ReportEntry>(`/api/v1/reports/${encodeURIComponent(id)}`, signal);
}

/** Runs a report now (the answer comes when it is written). */
export function runReport(body: Record<string, unknown>): Promise<ReportEntry> {
  return apiFetch<ReportEntry>('/api/v1/reports', { method: 'POST', body });
}

/** Downloads a report's file with the session's token and hands it to the browser as a file. */
export async function downloadReport(e: ReportEntry): Promise<void> {
  const session = getSession();
  if (!session) throw new ApiError(401, 'not signed in', 'unauthorized');
  const res = await fetch(`/api/v1/reports/${encodeURIComponent(e.id)}/file`, { headers: { Authorization: `Bearer ${session.token}` } });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      message = ((await res.json()) as { error?: string }).error ?? message;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, message);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = reportFileName(e);
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function fetchSchedules(signal?: AbortSignal): Promise<Schedule[]> {
  return apiGet<Schedule[]>('/api/v1/report-schedules', signal);
}

export function saveSchedule(body: Record<string, unknown>, id?: string): Promise<Schedule> {
  return id
    ? apiFetch<Schedule>(`/api/v1/report-schedules/${encodeURIComponent(id)}`, { method: 'PUT', body })
    : apiFetch<Schedule>('/api/v1/report-schedules', { method: 'POST', body });
}

export function deleteSchedule(id: string): Promise<unknown> {
  return apiFetch(`/api/v1/report-schedules/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export interface RunOutcome { report: string; sent: string[]; failed: Record<string, string> }

export function runSchedule(id: string): Promise<RunOutcome> {
  return apiFetch<RunOutcome>(`/api/v1/report-schedules/${encodeURIComponent(id)}/run`, { method: 'POST', body: {} });
}

export async function fetchMyEmail(signal?: AbortSignal): Promise<string> {
  return (await apiGet<{ email: string }>('/api/v1/me/email', signal)).email;
}

export function saveMyEmail(email: string): Promise<unknown> {
  return apiFetch('/api/v1/me/email', { method: 'PUT', body: { email: email.trim() === '' ? null : email.trim() } });
}
