import { apiFetch, apiGet } from './client';

/** One permission of an effective set and the path it comes from ("role admin > operator"). */
export interface PermissionOrigin { permission: string; from: string }
export interface EffectiveView { grants: PermissionOrigin[]; denies: PermissionOrigin[]; requireTotp: boolean; conflicts: string[] }

export interface Me {
  username: string;
  role: string;
  language: string;
  restricted: string | null;
  permissions: EffectiveView;
}

export interface AdminUser {
  id: number;
  username: string;
  role: string;
  disabled: boolean;
  mustChangePassword: boolean;
  language: string;
  totpEnabled: boolean;
  createdAt: number;
  extraGrants: string[];
  extraDenies: string[];
  lockedForUnknownSources: boolean;
}

export interface RoleView {
  name: string;
  parents: string[];
  grants: string[];
  denies: string[];
  requireTotp: boolean;
  builtin: boolean;
  effective?: EffectiveView;
}

export interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: number;
  expiresAt: number | null;
  lastUsed: number | null;
  revoked: boolean;
}

export interface NodeCredential { nodeId: string; enrolledAt: number; enrolledFrom: string; revokedAt: number | null }

export interface AuditEntry {
  seq: number;
  atMs: number;
  actor: string;
  action: string;
  target: string;
  source: string;
  detail: string;
  prevHash: string;
  hash: string;
}

export interface AuditVerification { ok: boolean; checked: number; firstBadSeq: number | null; problem: string | null }

export interface AuditFilter { actor?: string; action?: string; from?: number; to?: number; before?: number; limit?: number }

const enc = encodeURIComponent;

export const fetchMe = (signal?: AbortSignal) => apiGet<Me>('/api/v1/me', signal);

export const listUsers = () => apiGet<AdminUser[]>('/api/v1/users');
export const createUser = (u: { username: string; password: string; role: string; language: string; mustChangePassword: boolean }) =>
  apiFetch<AdminUser>('/api/v1/users', { method: 'POST', body: u });
export const patchUser = (name: string, patch: Record<string, unknown>) =>
  apiFetch<AdminUser>(`/api/v1/users/${enc(name)}`, { method: 'PATCH', body: patch });
export const deleteUser = (name: string) => apiFetch<unknown>(`/api/v1/users/${enc(name)}`, { method: 'DELETE' });
export const unlockUser = (name: string) => apiFetch<unknown>(`/api/v1/users/${enc(name)}/unlock`, { method: 'POST', body: {} });
export const userPermissions = (name: string) => apiGet<EffectiveView>(`/api/v1/users/${enc(name)}/permissions`);

export const listRoles = () => apiGet<RoleView[]>('/api/v1/roles');
type RoleDraft = Pick<RoleView, 'name' | 'parents' | 'grants' | 'denies' | 'requireTotp'>;
const roleBody = (r: RoleDraft) => ({ parents: r.parents, grants: r.grants, denies: r.denies, requireTotp: r.requireTotp });
/** The server's conflict check of a role before it is saved: the problems, empty when it can be saved. */
export const checkRole = async (r: RoleDraft) =>
  (await apiFetch<{ problems: string[] }>(`/api/v1/roles/${enc(r.name)}/check`, { method: 'POST', body: roleBody(r) })).problems;
export const saveRole = (r: RoleDraft) => apiFetch<RoleView>(`/api/v1/roles/${enc(r.name)}`, { method: 'PUT', body: roleBody(r) });
export const deleteRole = (name: string) => apiFetch<unknown>(`/api/v1/roles/${enc(name)}`, { method: 'DELETE' });

export const listApiKeys = () => apiGet<ApiKeyView[]>('/api/v1/apikeys');
export const createApiKey = (k: { name: string; scopes: string[]; expiresAt: number | null }) =>
  apiFetch<ApiKeyView & { key: string }>('/api/v1/apikeys', { method: 'POST', body: k });
export const revokeApiKey = (id: string) => apiFetch<unknown>(`/api/v1/apikeys/${enc(id)}`, { method: 'DELETE' });

export const listNodeCredentials = () => apiGet<NodeCredential[]>('/api/v1/node-credentials');
export const revokeNode = (id: string) => apiFetch<unknown>(`/api/v1/node-credentials/${enc(id)}/revoke`, { method: 'POST', body: {} });
export const forgetNode = (id: string) => apiFetch<unknown>(`/api/v1/node-credentials/${enc(id)}`, { method: 'DELETE' });

export interface EnrollmentToken {
  id: string;
  name: string;
  oneTime: boolean;
  createdAt: number;
  createdBy: string;
  expiresAt: number;
  uses: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}
export interface NodeCertificate { serial: string; nodeId: string; publicKeySha256: string; issuedAt: number; notAfter: number; revokedAt: number | null }

export const listEnrollmentTokens = () => apiGet<EnrollmentToken[]>('/api/v1/enrollment-tokens');
/** Creates a token; its text (`token`) is in this answer only. */
export const createEnrollmentToken = (t: { name: string; oneTime: boolean; ttlSeconds: number }) =>
  apiFetch<EnrollmentToken & { token: string }>('/api/v1/enrollment-tokens', { method: 'POST', body: t });
export const revokeEnrollmentToken = (id: string) => apiFetch<unknown>(`/api/v1/enrollment-tokens/${enc(id)}`, { method: 'DELETE' });

export const listNodeCertificates = () => apiGet<NodeCertificate[]>('/api/v1/node-certificates');
export const revokeNodeCertificate = (serial: string) =>
  apiFetch<unknown>(`/api/v1/node-certificates/${enc(serial)}/revoke`, { method: 'POST', body: {} });

/** Audit records matching the filter, newest first. */
export function searchAudit(f: AuditFilter): Promise<AuditEntry[]> {
  const q = new URLSearchParams({ order: 'desc', limit: String(f.limit ?? 50) });
  if (f.actor) q.set('actor', f.actor);
  if (f.action) q.set('action', f.action);
  if (f.from !== undefined) q.set('from', String(f.from));
  if (f.to !== undefined) q.set('to', String(f.to));
  if (f.before !== undefined) q.set('before', String(f.before));
  return apiGet<AuditEntry[]>(`/api/v1/audit?${q.toString()}`);
}
export const verifyAudit = () => apiGet<AuditVerification>('/api/v1/audit/verify');
