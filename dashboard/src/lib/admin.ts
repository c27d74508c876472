/** Pure helpers of the administration pages (tested without a browser). */

export type AdminSection = 'users' | 'roles' | 'apikeys' | 'nodes' | 'audit';
export const ADMIN_SECTIONS: readonly AdminSection[] = ['users', 'roles', 'apikeys', 'nodes', 'audit'];

/** The permission each admin section needs (as the server's AccessRules); API keys: any user. */
const NEEDS: Record<AdminSection, string | null> = {
  users: 'users:user:manage',
  roles: 'users:role:read',
  apikeys: null,
  nodes: 'system:node:read',
  audit: 'system:audit:read',
};

/** Whether a granted permission (possibly with `*` parts) covers `wanted`. */
export function covers(granted: string, wanted: string): boolean {
  const g = granted.split(':');
  const w = wanted.split(':');
  if (g.length !== 3 || w.length !== 3) return false;
  return g.every((part, i) => part === '*' || part === w[i]);
}

/** Whether the effective set (grants minus denials) allows `wanted`. */
export function can(grants: string[], denies: string[], wanted: string): boolean {
  return grants.some((g) => covers(g, wanted)) && !denies.some((d) => covers(d, wanted));
}

/** The sections a principal may open; API keys only with some other admin right, to keep the nav for admins. */
export function visibleSections(grants: string[], denies: string[]): AdminSection[] {
  const allowed = ADMIN_SECTIONS.filter((s) => NEEDS[s] !== null && can(grants, denies, NEEDS[s]!));
  return allowed.length === 0 ? [] : ADMIN_SECTIONS.filter((s) => NEEDS[s] === null || allowed.includes(s));
}

/** Splits free text (spaces, commas, new lines) into distinct permission strings. */
export function parseList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s.length > 0))];
}

/** One CSV field (RFC 4180), and a leading quote against spreadsheet formula injection. */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export interface RoleNode { name: string; children: RoleNode[] }

/**
 * The inheritance forest: a role is a child of each of its parents (so a role with two parents
 * appears twice); roles without known parents are roots. Cycles are cut (the server refuses them).
 */
export function roleForest(roles: { name: string; parents: string[] }[]): RoleNode[] {
  const names = new Set(roles.map((r) => r.name));
  const children = new Map<string, string[]>();
  for (const r of roles) {
    for (const p of r.parents) {
      if (names.has(p)) children.set(p, [...(children.get(p) ?? []), r.name]);
    }
  }
  const build = (name: string, seen: Set<string>): RoleNode => ({
    name,
    children: seen.has(name) ? [] : (children.get(name) ?? []).sort().map((c) => build(c, new Set([...seen, name]))),
  });
  return roles.filter((r) => !r.parents.some((p) => names.has(p))).map((r) => r.name).sort().map((n) => build(n, new Set()));
}
