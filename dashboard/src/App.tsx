import { lazy, Suspense, useEffect, useState } from 'react';
import { App as AntApp, Card, ConfigProvider, Layout, Skeleton, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import jaJP from 'antd/locale/ja_JP';
import { useTranslation } from 'react-i18next';
import { useSession, type Session } from './api/session';
import { fetchMe, type Me } from './api/admin';
import { visibleSections } from './lib/admin';
import { AppHeader } from './components/AppHeader';
import { pickLanguage } from './i18n';
import { LiveProvider } from './live/LiveProvider';
import { useRoute } from './lib/route';
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
      <Layout.Content style={{ padding: 24, maxWidth: 1440, width: '100%', margin: '0 auto' }}>
        {route.page === 'alerts' ? (
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
            <NodeDetailPage key={route.id} nodeId={route.id} />
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
  return (
    <ConfigProvider locale={ANTD_LOCALES[pickLanguage(i18n.language)]} theme={{ token: { colorPrimary: '#1677ff', borderRadius: 8 } }}>
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
