/** Reports and report schedules (docs/reports.md): shapes of the REST answers and the forms' request bodies. */

export const REPORT_KINDS = ['utilization', 'rightsizing', 'availability', 'capacity', 'alerts'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_FORMATS = ['pdf', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const REPORT_LANGUAGES = ['en', 'zh-CN', 'ja-JP'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];
export const SCOPE_KINDS = ['all', 'group', 'cluster', 'selector'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];
export const CADENCES = ['daily', 'weekly', 'monthly'] as const;
export type Cadence = (typeof CADENCES)[number];

/** One stored report (GET /api/v1/reports). */
export interface ReportEntry {
  id: string;
  owner: string;
  kinds: string;
  scope: string;
  start: string;
  end: string;
  language: string;
  format: ReportFormat;
  createdAt: string;
  bytes: number;
  pages: number;
  nodes: number;
  empty: boolean;
  readers?: string[];
  schedule?: string | null;
}

/** The preview JSON (GET /api/v1/reports/{id}/preview): texts in the report's language. */
export interface PreviewCell { text: string; value?: number | null }
export interface PreviewSection {
  kind: string;
  title: string;
  notes: string[];
  columns: { title: string; unit: string }[];
  rows: PreviewCell[][];
  chart?: { title: string; unit: string; lines: { name: string; dashed: boolean; points: [number, number][] }[] };
}
export interface Preview {
  title: string;
  installation: string;
  scope: string;
  start: string;
  end: string;
  language: string;
  step: string;
  nodes: number;
  empty: boolean;
  sections: PreviewSection[];
}

export type Recipient = { user: string } | { group: string } | { address: string; language?: string };

/** A schedule (GET /api/v1/report-schedules). */
export interface Schedule {
  id: string;
  owner: string;
  name: string;
  cadence: Cadence;
  day?: number;
  at: string;
  timezone: string;
  kind: ReportKind[];
  scope: { kind: ScopeKind; value: string };
  language: ReportLanguage;
  recipients: Recipient[];
  nextRun?: string;
  attempt?: number;
  lastError?: string | null;
}

export interface ReportForm {
  kinds: ReportKind[];
  scopeKind: ScopeKind;
  scopeValue: string;
  period: string;
  format: ReportFormat;
  language: ReportLanguage;
  timezone: string;
}

export interface ScheduleForm {
  name: string;
  cadence: Cadence;
  day: number;
  at: string;
  timezone: string;
  kinds: ReportKind[];
  scopeKind: ScopeKind;
  scopeValue: string;
  language: ReportLanguage;
  /** One recipient a line: `user:alice`, `group:operator`, or an address with an optional language (`cfo@example.org ja-JP`). */
  recipients: string;
}

/** What is wrong with a form, as i18n keys (with values), and the body to send when nothing is. */
export interface Checked<T> { body: T | null; problems: { key: string; value?: string }[] }

const PERIOD = /^[1-9][0-9]{0,5}[hdwy]$/;
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const ADDRESS = /^[^@\s,<>"]+@[^@\s,<>"]+$/;

function scopeProblems(kind: ScopeKind, value: string): { key: string }[] {
  return kind !== 'all' && value.trim() === '' ? [{ key: 'reports.problems.scope' }] : [];
}

function scopeBody(kind: ScopeKind, value: string) {
  return kind === 'all' ? { kind: 'all', value: '' } : { kind, value: value.trim() };
}

/** The body of POST /api/v1/reports. */
export function reportBody(f: ReportForm): Checked<Record<string, unknown>> {
  const problems = [...scopeProblems(f.scopeKind, f.scopeValue)];
  if (f.kinds.length === 0) problems.push({ key: 'reports.problems.kinds' });
  if (!PERIOD.test(f.period.trim())) problems.push({ key: 'reports.problems.period' });
  if (problems.length > 0) return { body: null, problems };
  return {
    body: {
      kind: f.kinds, scope: scopeBody(f.scopeKind, f.scopeValue), period: f.period.trim(),
      format: f.format, language: f.language, timezone: f.timezone,
    },
    problems,
  };
}

/** Parses the recipients text: one a line; problems name the line. */
export function parseRecipients(text: string): { recipients: Recipient[]; problems: { key: string; value?: string }[] } {
  const recipients: Recipient[] = [];
  const problems: { key: string; value?: string }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const m = /^(user|group):\s*(\S+)$/.exec(line);
    if (m) {
      recipients.push(m[1] === 'user' ? { user: m[2] } : { group: m[2] });
      continue;
    }
    const [address, language, ...rest] = line.split(/\s+/);
    if (!ADDRESS.test(address) || rest.length > 0 || (language !== undefined && !(REPORT_LANGUAGES as readonly string[]).includes(language))) {
      problems.push({ key: 'reports.problems.recipient', value: line });
      continue;
    }
    recipients.push({ address, language: language ?? 'en' });
  }
  if (recipients.length === 0 && problems.length === 0) problems.push({ key: 'reports.problems.noRecipients' });
  return { recipients, problems };
}

/** The recipients of a schedule as the form's text (the inverse of {@link parseRecipients}). */
export function recipientsText(rs: Recipient[]): string {
  return rs.map((r) => ('user' in r ? `user:${r.user}` : 'group' in r ? `group:${r.group}` : `${r.address} ${r.language ?? 'en'}`)).join('\n');
}

/** The body of POST/PUT /api/v1/report-schedules. */
export function scheduleBody(f: ScheduleForm): Checked<Record<string, unknown>> {
  const problems = [...scopeProblems(f.scopeKind, f.scopeValue)];
  if (f.kinds.length === 0) problems.push({ key: 'reports.problems.kinds' });
  if (!TIME.test(f.at)) problems.push({ key: 'reports.problems.at' });
  if (f.cadence === 'weekly' && !(f.day >= 1 && f.day <= 7)) problems.push({ key: 'reports.problems.weekday' });
  if (f.cadence === 'monthly' && !(f.day >= 1 && f.day <= 28)) problems.push({ key: 'reports.problems.monthday' });
  if (f.timezone.trim() === '') problems.push({ key: 'reports.problems.timezone' });
  const r = parseRecipients(f.recipients);
  problems.push(...r.problems);
  if (problems.length > 0) return { body: null, problems };
  const body: Record<string, unknown> = {
    name: f.name.trim(), cadence: f.cadence, at: f.at, timezone: f.timezone.trim(), kind: f.kinds,
    scope: scopeBody(f.scopeKind, f.scopeValue), language: f.language, recipients: r.recipients,
  };
  if (f.cadence !== 'daily') body.day = f.day;
  return { body, problems };
}

/** A schedule as the form edits it. */
export function scheduleForm(s: Schedule): ScheduleForm {
  return {
    name: s.name, cadence: s.cadence, day: s.day ?? 1, at: s.at, timezone: s.timezone, kinds: s.kind,
    scopeKind: s.scope.kind, scopeValue: s.scope.value, language: s.language, recipients: recipientsText(s.recipients),
  };
}

/** The browser's IANA zone (UTC when unknown). */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** A file name for a downloaded report: `syslens-report-<first day>-<id prefix>.<format>`. */
export function reportFileName(e: ReportEntry): string {
  return `syslens-report-${e.start.slice(0, 10)}-${e.id.slice(0, 8)}.${e.format}`;
}

/** Human size: 1536 -> "1.5 KB". */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}
