import { lazy, Suspense } from 'react';
import { Alert, Spin, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api/admin';
import { visibleSections, type AdminSection } from '../../lib/admin';
import { adminHref, navigate } from '../../lib/route';

const UsersSection = lazy(() => import('./UsersSection'));
const RolesSection = lazy(() => import('./RolesSection'));
const ApiKeysSection = lazy(() => import('./ApiKeysSection'));
const NodeCredentialsSection = lazy(() => import('./NodeCredentialsSection'));
const AuditSection = lazy(() => import('./AuditSection'));

function Section({ section }: { section: AdminSection }) {
  switch (section) {
    case 'users':
      return <UsersSection />;
    case 'roles':
      return <RolesSection />;
    case 'apikeys':
      return <ApiKeysSection />;
    case 'nodes':
      return <NodeCredentialsSection />;
    case 'audit':
      return <AuditSection />;
  }
}

/** Administration (#/admin/<section>): only the sections the signed-in principal may use. */
export default function AdminPage({ section, me }: { section: AdminSection; me: Me }) {
  const { t } = useTranslation();
  const sections = visibleSections(me.permissions.grants.map((g) => g.permission), me.permissions.denies.map((d) => d.permission));
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
        <Section key={active} section={active} />
      </Suspense>
    </div>
  );
}
