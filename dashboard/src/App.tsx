import { lazy, Suspense, useEffect, useState } from 'react';
import { App as AntApp, Card, ConfigProvider, Layout, Skeleton, Spin, theme as antTheme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import jaJP from 'antd/locale/ja_JP';
import { useTranslation } from 'react-i18next';
import { useSession, type Session } from './api/session';
import { fetchMe, type Me } from './api/admin';
import { can, visibleSections } from './lib/admin';
import { AppHeader } from './components/AppHeader';
import { pickLanguage } from './i18n';
import { LiveProvider } from './live/LiveProvider';
import { useRoute } from './lib/route';
import { useTheme } from './lib/theme';
import { AccountSetupPage } from './pages/AccountSetupPage';
import { LoginPage } from './pages/LoginPage';

// Every page is its own chunk (route-level code splitting); the entry keeps only the shell.
const OverviewPage = lazy(() => import('./pages/OverviewPage'));
const NodeListPage = lazy(() => import('./pages/NodeListPage'));
// The detail page carries ECharts: load it only when a node is opened.
const NodeDetailPage = lazy(() => import('./pages/NodeDetailPage'));
// The alerts area (rules builder, charts, tables) is its own chunk too.
const AlertsPage = lazy(() => import('./pages/alerts/AlertsPage'));
const ReportsPage = lazy(() => import('./pages/reports/ReportsPage'));

function PageSkeleton() {
  return <Card><Skeleton active paragraph={{ rows: 8 }} /></Card>;
}

// The vSphere pages (#/vsphere/...): inventory tree, vCenter connections, guest collection.
const VspherePage = lazy(() => import('./pages/vsphere/VspherePage'));
// Custom dashboards (#/dashboards): the list, and a dashboard with its panels and editors.
const DashboardsPage = lazy(() => import('./pages/dashboards/DashboardsPage'));
const DashboardPage = lazy(() => import('./pages/dashboards/DashboardPage'));

// Administration (#/admin/...): loaded only when opened.
const AdminPage = lazy(() => import('./pages/admin/AdminPage'));

/** The signed-in principal's permissions (GET /api/v1/me), for the admin navigation. */
function useMe(token: string): Me | null {
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    fetchMe(ctl.signal).then((m) => setMe(Array.isArray(m?.permissions?.grants) ? m : null), () => setMe(null));
    return () => ctl.abort();
  }, [token]);
  return me;
}

const ANTD_LOCALES = { en: enUS, 'zh-CN': zhCN, 'ja-JP': jaJP };

function Shell({ session }: { session: Session }) {
  const route = useRoute();
  const me = useMe(session.token);
  const admin = me !== null && visibleSections(me.permissions.grants.map((g) => g.permission), me.permissions.denies.map((d) => d.permission)).length > 0;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <AppHeader session={session} page={route.page} admin={admin} />
      <Layout.Content className="syslens-content">
        {route.page === 'vsphere' ? (
          <Suspense fallback={<PageSkeleton />}>
            <VspherePage tab={route.tab} canManage={me !== null && can(me.permissions.grants.map((g) => g.permission), me.permissions.denies.map((d) => d.permission), 'system:vcenter:manage')} />
          </Suspense>
        ) : route.page === 'alerts' ? (
          <Suspense fallback={<PageSkeleton />}>
            <AlertsPage tab={route.tab} rule={route.rule} />
          </Suspense>
        ) : route.page === 'reports' ? (
          <Suspense fallback={<PageSkeleton />}>
            <ReportsPage tab={route.tab} id={route.id} />
          </Suspense>
        ) : route.page === 'admin' ? (
          <Suspense fallback={<PageSkeleton />}>
            {me ? <AdminPage section={route.section} me={me} /> : <PageSkeleton />}
          </Suspense>
        ) : route.page === 'node' ? (
          <Suspense fallback={<Spin size="large" style={{ display: 'block', marginTop: 80 }} />}>
            <NodeDetailPage key={route.id} nodeId={route.id} query={route.query} />
          </Suspense>
        ) : route.page === 'dashboards' ? (
          <Suspense fallback={<PageSkeleton />}>
            <DashboardsPage />
          </Suspense>
        ) : route.page === 'dashboard' ? (
          <Suspense fallback={<PageSkeleton />}>
            <DashboardPage key={route.id} id={route.id} query={route.query} />
          </Suspense>
        ) : route.page === 'nodes' ? (
          <Suspense fallback={<PageSkeleton />}>
            <NodeListPage />
          </Suspense>
        ) : (
          <Suspense fallback={<PageSkeleton />}>
            <OverviewPage />
          </Suspense>
        )}
      </Layout.Content>
    </Layout>
  );
}

export function App() {
  const session = useSession();
  const { i18n } = useTranslation();
  const mode = useTheme();
  return (
    <ConfigProvider
      locale={ANTD_LOCALES[pickLanguage(i18n.language)]}
      theme={{
        algorithm: mode === 'dark' ? antTheme.darkAlgorithm : antTheme.defaultAlgorithm,
        // Tertiary text (descriptions, empty states, statistic titles) dark enough for WCAG AA contrast (4.5:1).
        // Primary #1668dc: white text on it and it on white both 5.2:1 (Ant Design's #1677ff is 4.1:1).
        token: mode === 'dark'
          ? { colorPrimary: '#1668dc', colorLink: '#4096ff', borderRadius: 8, colorTextTertiary: 'rgba(255,255,255,0.62)', colorTextDescription: 'rgba(255,255,255,0.62)', colorTextPlaceholder: 'rgba(255,255,255,0.55)' }
          : { colorPrimary: '#1668dc', colorLink: '#1668dc', colorInfo: '#1668dc', borderRadius: 8, colorTextTertiary: 'rgba(0,0,0,0.62)', colorTextDescription: 'rgba(0,0,0,0.62)', colorTextPlaceholder: 'rgba(0,0,0,0.58)' },
      }}
    >
      <AntApp>
        {session && session.restricted ? (
          <AccountSetupPage session={session} />
        ) : session ? (
          <LiveProvider key={session.token} session={session}>
            <Shell session={session} />
          </LiveProvider>
        ) : (
          <LoginPage />
        )}
      </AntApp>
    </ConfigProvider>
  );
}
