import { lazy, Suspense } from 'react';
import { Alert, Spin, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api/admin';
import { can, NODE_MANAGE, visibleSections, type AdminSection } from '../../lib/admin';
import { adminHref, navigate } from '../../lib/route';

const UsersSection = lazy(() => import('./UsersSection'));
const RolesSection = lazy(() => import('./RolesSection'));
const ApiKeysSection = lazy(() => import('./ApiKeysSection'));
const NodeCredentialsSection = lazy(() => import('./NodeCredentialsSection'));
const EnrollmentTokensSection = lazy(() => import('./EnrollmentTokensSection'));
const NodeCertificatesSection = lazy(() => import('./NodeCertificatesSection'));
const AuditSection = lazy(() => import('./AuditSection'));

function Section({ section, canManageNodes }: { section: AdminSection; canManageNodes: boolean }) {
  switch (section) {
    case 'users':
      return <UsersSection />;
    case 'roles':
      return <RolesSection />;
    case 'apikeys':
      return <ApiKeysSection />;
    case 'nodes':
      return <NodeCredentialsSection />;
    case 'tokens':
      return <EnrollmentTokensSection canManage={canManageNodes} />;
    case 'certificates':
      return <NodeCertificatesSection canManage={canManageNodes} />;
    case 'audit':
      return <AuditSection />;
  }
}

/** Administration (#/admin/<section>): only the sections the signed-in principal may use. */
export default function AdminPage({ section, me }: { section: AdminSection; me: Me }) {
  const { t } = useTranslation();
  const grants = me.permissions.grants.map((g) => g.permission);
  const denies = me.permissions.denies.map((d) => d.permission);
  const sections = visibleSections(grants, denies);
  if (sections.length === 0) return <Alert type="warning" showIcon title={t('admin.common.noPermission')} />;
  const active = sections.includes(section) ? section : sections[0];
  return (
    <div data-testid="admin-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>{t('admin.nav')}</Typography.Title>
      <Tabs
        activeKey={active}
        onChange={(k) => navigate(adminHref(k as AdminSection))}
        items={sections.map((s) => ({ key: s, label: <span data-testid={`admin-tab-${s}`}>{t(`admin.tabs.${s}`)}</span> }))}
      />
      <Suspense fallback={<Spin size="large" style={{ display: 'block', marginTop: 60 }} />}>
        <Section key={active} section={active} canManageNodes={can(grants, denies, NODE_MANAGE)} />
      </Suspense>
    </div>
  );
}
