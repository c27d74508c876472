import { describe, expect, it } from 'vitest';
import { can, certificateState, csvField, parseList, roleForest, toCsv, tokenState, tokenTtlSeconds, visibleSections } from './admin';

describe('admin helpers', () => {
  it('checks permissions with wildcards and denials', () => {
    expect(can(['users:*:*'], [], 'users:user:manage')).toBe(true);
    expect(can(['users:*:*'], ['users:user:manage'], 'users:user:manage')).toBe(false);
    expect(can(['monitoring:query:read'], [], 'users:user:manage')).toBe(false);
  });

  it('shows admin sections only to principals with the permissions', () => {
    expect(visibleSections(['monitoring:*:read'], [])).toEqual([]);
    expect(visibleSections(['system:audit:read'], [])).toEqual(['apikeys', 'audit']);
    expect(visibleSections(['*:*:*'], [])).toEqual(['users', 'roles', 'apikeys', 'nodes', 'tokens', 'certificates', 'audit']);
    expect(visibleSections(['system:node:read'], [])).toEqual(['apikeys', 'nodes', 'tokens', 'certificates']);
    expect(visibleSections(['system:*:*'], ['system:node:read'])).toEqual(['apikeys', 'audit']);
  });

  it('parses permission lists from free text', () => {
    expect(parseList(' a:b:c, d:e:f\na:b:c  ')).toEqual(['a:b:c', 'd:e:f']);
    expect(parseList('')).toEqual([]);
  });

  it('writes CSV with quoting and without formula injection', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField(null)).toBe('');
    expect(toCsv(['seq', 'actor'], [[1, 'admin']])).toBe('seq,actor\r\n1,admin\r\n');
  });

  it('builds the inheritance forest, a role under each parent', () => {
    const forest = roleForest([
      { name: 'viewer', parents: [] },
      { name: 'operator', parents: ['viewer'] },
      { name: 'admin', parents: ['operator'] },
      { name: 'auditor', parents: [] },
      { name: 'night', parents: ['operator', 'auditor'] },
    ]);
    expect(forest.map((n) => n.name)).toEqual(['auditor', 'viewer']);
    expect(forest[0].children.map((n) => n.name)).toEqual(['night']);
    expect(forest[1].children[0].children.map((n) => n.name)).toEqual(['admin', 'night']);
  });
});

describe('agent identities', () => {
  const day = 86_400_000;
  const now = 1_000 * day;

  it('tags certificates by expiry, revocation first', () => {
    expect(certificateState({ notAfter: now + 90 * day, revokedAt: null }, now)).toBe('valid');
    expect(certificateState({ notAfter: now + 14 * day, revokedAt: null }, now)).toBe('soon');
    expect(certificateState({ notAfter: now + 1, revokedAt: null }, now)).toBe('soon');
    expect(certificateState({ notAfter: now, revokedAt: null }, now)).toBe('expired');
    expect(certificateState({ notAfter: now - day, revokedAt: now - 2 * day }, now)).toBe('revoked');
    expect(certificateState({ notAfter: now + 3 * day, revokedAt: null }, now, day)).toBe('valid');
  });

  it('says whether an enrollment token can still enroll', () => {
    const t = { oneTime: true, expiresAt: now + day, uses: 0, revokedAt: null };
    expect(tokenState(t, now)).toBe('active');
    expect(tokenState({ ...t, uses: 1 }, now)).toBe('used');
    expect(tokenState({ ...t, oneTime: false, uses: 7 }, now)).toBe('active');
    expect(tokenState({ ...t, expiresAt: now }, now)).toBe('expired');
    expect(tokenState({ ...t, uses: 1, revokedAt: now - 1 }, now)).toBe('revoked');
  });

  it('validates a token lifetime as the server does', () => {
    expect(tokenTtlSeconds(24, 'hours')).toEqual({ seconds: 86_400 });
    expect(tokenTtlSeconds(366, 'days')).toEqual({ seconds: 366 * 86_400 });
    expect(tokenTtlSeconds(367, 'days')).toEqual({ error: 'range' });
    expect(tokenTtlSeconds(366 * 24 + 1, 'hours')).toEqual({ error: 'range' });
    expect(tokenTtlSeconds(0, 'hours')).toEqual({ error: 'range' });
    expect(tokenTtlSeconds(-1, 'days')).toEqual({ error: 'range' });
    expect(tokenTtlSeconds(1.5, 'days')).toEqual({ error: 'integer' });
    expect(tokenTtlSeconds(null, 'days')).toEqual({ error: 'required' });
  });
});

describe('admin routes', async () => {
  const { parseRoute, adminHref } = await import('./route');
  it('parses #/admin/<section>, defaulting to users', () => {
    expect(parseRoute('#/admin/audit')).toEqual({ page: 'admin', section: 'audit' });
    expect(parseRoute('#/admin/tokens')).toEqual({ page: 'admin', section: 'tokens' });
    expect(parseRoute(adminHref('certificates'))).toEqual({ page: 'admin', section: 'certificates' });
    expect(parseRoute('#/admin')).toEqual({ page: 'admin', section: 'users' });
    expect(parseRoute('#/admin/bogus')).toEqual({ page: 'admin', section: 'users' });
    expect(parseRoute(adminHref('roles'))).toEqual({ page: 'admin', section: 'roles' });
    expect(parseRoute('#/nodes/a')).toEqual({ page: 'node', id: 'a', query: '' });
  });
});
