import { describe, expect, it } from 'vitest';
import { parseRoute } from './route';
import { formatSize, parseRecipients, recipientsText, reportBody, reportFileName, scheduleBody, scheduleForm, type ReportForm, type Schedule, type ScheduleForm } from './reports';

const REPORT: ReportForm = { kinds: ['utilization', 'rightsizing'], scopeKind: 'group', scopeValue: ' team-a ', period: '30d', format: 'xlsx', language: 'ja-JP', timezone: 'Asia/Tokyo' };
const SCHEDULE: ScheduleForm = {
  name: ' Weekly ', cadence: 'weekly', day: 1, at: '07:30', timezone: 'Europe/Berlin', kinds: ['capacity'], scopeKind: 'all', scopeValue: 'ignored',
  language: 'zh-CN', recipients: 'user:alice\n\ngroup: operator\ncfo@example.org ja-JP\nops@example.org',
};

describe('report form', () => {
  it('builds the POST /api/v1/reports body with a trimmed scope', () => {
    expect(reportBody(REPORT)).toEqual({
      body: { kind: ['utilization', 'rightsizing'], scope: { kind: 'group', value: 'team-a' }, period: '30d', format: 'xlsx', language: 'ja-JP', timezone: 'Asia/Tokyo' },
      problems: [],
    });
  });

  it('names every problem: empty scope value, no kind, bad period', () => {
    const r = reportBody({ ...REPORT, scopeValue: '  ', kinds: [], period: '10 years' });
    expect(r.body).toBeNull();
    expect(r.problems.map((p) => p.key)).toEqual(['reports.problems.scope', 'reports.problems.kinds', 'reports.problems.period']);
  });
});

describe('schedule form', () => {
  it('parses users, groups and addresses with their language', () => {
    expect(parseRecipients(SCHEDULE.recipients)).toEqual({
      recipients: [{ user: 'alice' }, { group: 'operator' }, { address: 'cfo@example.org', language: 'ja-JP' }, { address: 'ops@example.org', language: 'en' }],
      problems: [],
    });
  });

  it('refuses a line that is no recipient and an empty list', () => {
    expect(parseRecipients('not an address\ncfo@example.org fr-FR').problems).toEqual([
      { key: 'reports.problems.recipient', value: 'not an address' }, { key: 'reports.problems.recipient', value: 'cfo@example.org fr-FR' },
    ]);
    expect(parseRecipients(' \n ').problems).toEqual([{ key: 'reports.problems.noRecipients' }]);
  });

  it('builds the schedule body; a daily schedule has no day, scope all has no value', () => {
    const weekly = scheduleBody(SCHEDULE).body!;
    expect(weekly).toMatchObject({ name: 'Weekly', cadence: 'weekly', day: 1, at: '07:30', timezone: 'Europe/Berlin', kind: ['capacity'], scope: { kind: 'all', value: '' }, language: 'zh-CN' });
    expect(weekly.recipients).toHaveLength(4);
    expect(scheduleBody({ ...SCHEDULE, cadence: 'daily' }).body).not.toHaveProperty('day');
  });

  it('checks the time, the day for the cadence and the zone', () => {
    const r = scheduleBody({ ...SCHEDULE, at: '24:00', cadence: 'monthly', day: 31, timezone: ' ' });
    expect(r.body).toBeNull();
    expect(r.problems.map((p) => p.key)).toEqual(['reports.problems.at', 'reports.problems.monthday', 'reports.problems.timezone']);
    expect(scheduleBody({ ...SCHEDULE, day: 0 }).problems.map((p) => p.key)).toEqual(['reports.problems.weekday']);
  });

  it('edits a stored schedule as it was saved (form and text round trip)', () => {
    const s: Schedule = {
      id: 'abc', owner: 'alice', name: 'n', cadence: 'monthly', day: 3, at: '06:00', timezone: 'UTC', kind: ['alerts'], scope: { kind: 'cluster', value: 'c1' },
      language: 'en', recipients: [{ user: 'bob' }, { address: 'x@example.org', language: 'zh-CN' }],
    };
    const f = scheduleForm(s);
    expect(f.recipients).toBe('user:bob\nx@example.org zh-CN');
    expect(scheduleBody(f).body).toMatchObject({ cadence: 'monthly', day: 3, scope: { kind: 'cluster', value: 'c1' }, recipients: s.recipients });
    expect(recipientsText(parseRecipients(f.recipients).recipients)).toBe(f.recipients);
  });
});

describe('reports route and helpers', () => {
  it('opens tabs and a report by id (the link in a scheduled mail)', () => {
    expect(parseRoute('#/reports')).toEqual({ page: 'reports', tab: 'history' });
    expect(parseRoute('#/reports/schedules')).toEqual({ page: 'reports', tab: 'schedules' });
    const id = '0123456789abcdef0123456789abcdef';
    expect(parseRoute(`#/reports/${id}`)).toEqual({ page: 'reports', tab: 'history', id });
    expect(parseRoute('#/reports/<script>')).toEqual({ page: 'reports', tab: 'history' });
  });

  it('names files and sizes', () => {
    expect(reportFileName({ id: '0123456789abcdef', start: '2026-11-01T00:00:00Z', format: 'pdf' } as never)).toBe('syslens-report-2026-11-01-01234567.pdf');
    expect(formatSize(999)).toBe('999 B');
    expect(formatSize(820_123)).toBe('820 KB');
    expect(formatSize(1_500_000)).toBe('1.5 MB');
  });
});
