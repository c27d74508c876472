import { describe, expect, it } from 'vitest';
import { can, csvField, parseList, roleForest, toCsv, visibleSections } from './admin';

describe('admin helpers', () => {
  it('checks permissions with wildcards and denials', () => {
    expect(can(['users:*:*'], [], 'users:user:manage')).toBe(true);
    expect(can(['users:*:*'], ['users:user:manage'], 'users:user:manage')).toBe(false);
    expect(can(['monitoring:query:read'], [], 'users:user:manage')).toBe(false);
  });

  it('shows admin sections only to principals with the permissions', () => {
    expect(visibleSections(['monitoring:*:read'], [])).toEqual([]);
    expect(visibleSections(['system:audit:read'], [])).toEqual(['apikeys', 'audit']);
    expect(visibleSections(['*:*:*'], [])).toEqual(['users', 'roles', 'apikeys', 'nodes', 'audit']);
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

describe('admin routes', async () => {
  const { parseRoute, adminHref } = await import('./route');
  it('parses #/admin/<section>, defaulting to users', () => {
    expect(parseRoute('#/admin/audit')).toEqual({ page: 'admin', section: 'audit' });
    expect(parseRoute('#/admin')).toEqual({ page: 'admin', section: 'users' });
    expect(parseRoute('#/admin/bogus')).toEqual({ page: 'admin', section: 'users' });
    expect(parseRoute(adminHref('roles'))).toEqual({ page: 'admin', section: 'roles' });
    expect(parseRoute('#/nodes/a')).toEqual({ page: 'node', id: 'a' });
  });
});
