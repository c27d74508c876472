/** Pure helpers of the administration pages (tested without a browser). */

export type AdminSection = 'users' | 'roles' | 'apikeys' | 'nodes' | 'tokens' | 'certificates' | 'audit';
export const ADMIN_SECTIONS: readonly AdminSection[] = ['users', 'roles', 'apikeys', 'nodes', 'tokens', 'certificates', 'audit'];

/** The permission each admin section needs (as the server's AccessRules); API keys: any user. */
const NEEDS: Record<AdminSection, string | null> = {
  users: 'users:user:manage',
  roles: 'users:role:read',
  apikeys: null,
  nodes: 'system:node:read',
  tokens: 'system:node:read',
  certificates: 'system:node:read',
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

/** The permission the server asks for changes to node identities (tokens, certificates, credentials). */
export const NODE_MANAGE = 'system:node:manage';

/** Certificates expiring within this are tagged "expires soon". */
export const EXPIRES_SOON_MS = 14 * 86_400_000;

export type CertificateState = 'revoked' | 'expired' | 'soon' | 'valid';

/** A certificate's state at `now`: revoked wins, then expired (past notAfter), then expiring within `soonMs`. */
export function certificateState(c: { notAfter: number; revokedAt: number | null }, now: number, soonMs = EXPIRES_SOON_MS): CertificateState {
  if (c.revokedAt) return 'revoked';
  if (c.notAfter <= now) return 'expired';
  return c.notAfter - now <= soonMs ? 'soon' : 'valid';
}

export type TokenState = 'revoked' | 'expired' | 'used' | 'active';

/** An enrollment token's state at `now`: a one-time token is spent after its first use. */
export function tokenState(t: { oneTime: boolean; expiresAt: number; uses: number; revokedAt: number | null }, now: number): TokenState {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt <= now) return 'expired';
  return t.oneTime && t.uses > 0 ? 'used' : 'active';
}

export type TtlUnit = 'hours' | 'days';

/** The longest lifetime the server accepts for an enrollment token (EnrollmentTokens.MAX_TTL). */
export const MAX_TOKEN_TTL_SECONDS = 366 * 86_400;

/**
 * A token lifetime from the form: seconds, or the reason it is refused (a whole number, > 0, at
 * most 366 days, as the server checks).
 */
export function tokenTtlSeconds(value: number | null | undefined, unit: TtlUnit): { seconds: number } | { error: 'required' | 'integer' | 'range' } {
  if (value === null || value === undefined || Number.isNaN(value)) return { error: 'required' };
  if (!Number.isInteger(value)) return { error: 'integer' };
  const seconds = value * (unit === 'days' ? 86_400 : 3_600);
  return value <= 0 || seconds > MAX_TOKEN_TTL_SECONDS ? { error: 'range' } : { seconds };
}
