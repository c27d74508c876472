import { Badge, Button, Layout, Space, Typography, theme } from 'antd';
import { LogoutOutlined, SettingOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { type Session } from '../api/session';
import { logout } from '../api/client';
import { useLive } from '../live/LiveProvider';
import { LanguageSwitch } from './LanguageSwitch';
import { ThemeSwitch } from './ThemeSwitch';

export function Logo() {
  const { t } = useTranslation();
  return (
    <a href="#/" style={{ display: 'flex', alignItems: 'center', gap: 10, color: 'inherit', textDecoration: 'none' }}>
      <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="#1677ff" />
        <polyline points="5,20 11,20 14,10 18,24 21,15 27,15" fill="none" stroke="#fff" strokeWidth="2.6" strokeLinejoin="round" strokeLinecap="round" />
      </svg>
      <span style={{ fontWeight: 650, fontSize: 19, letterSpacing: 0.2 }}>{t('app.name')}</span>
    </a>
  );
}

/** The header's page links (the alerts area has its own tabs under `#/alerts/...`). */
function NavLinks({ page }: { page: string }) {
  const { t } = useTranslation();
  const link = (href: string, active: boolean, label: string, testId: string) => (
    <a href={href} data-testid={testId} className={active ? 'syslens-nav syslens-nav-active' : 'syslens-nav'}>{label}</a>
  );
  return (
    <nav style={{ display: 'flex', gap: 4 }}>
      {link('#/', page === 'overview', t('fleet.nav.overview'), 'nav-overview')}
      {link('#/nodes', page === 'nodes' || page === 'node', t('alerts.nav.nodes'), 'nav-nodes')}
      {link('#/dashboards', page === 'dashboards' || page === 'dashboard', t('dash.nav'), 'nav-dashboards')}
      {link('#/alerts/firing', page === 'alerts', t('alerts.nav.alerts'), 'nav-alerts')}
      {link('#/vsphere/inventory', page === 'vsphere', t('vsphere.nav'), 'nav-vsphere')}
      {link('#/reports/history', page === 'reports', t('reports.nav'), 'nav-reports')}
    </nav>
  );
}

/** The live feed's state; its own component, as the live context changes with every batch of samples. */
function LiveBadge() {
  const { t } = useTranslation();
  const { status } = useLive();
  const badge = status === 'connected' ? 'success' : status === 'connecting' ? 'processing' : 'warning';
  return <Badge status={badge} text={<span data-testid="live-status">{t(`live.${status}`)}</span>} />;
}

export function AppHeader({ session, page = 'overview', admin = false }: { session: Session; page?: string; admin?: boolean }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  return (
    <Layout.Header
      className="syslens-header"
      style={{
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'space-between',
        gap: 16,
        background: token.colorBgContainer,
        borderBottom: `1px solid ${token.colorBorderSecondary}`,
        padding: '0 24px',
        position: 'sticky',
        top: 0,
        zIndex: 10,
      }}
    >
      <Space size={20} align="center" wrap>
        <Logo />
        <NavLinks page={page} />
        <LiveBadge />
      </Space>
      <Space size={12} align="center" wrap>
        {admin && (
          <Button type="text" href="#/admin/users" data-testid="nav-admin" icon={<SettingOutlined />}>
            {t('admin.nav')}
          </Button>
        )}
        <ThemeSwitch />
        <LanguageSwitch />
        <Typography.Text type="secondary" title={t('header.signedInAs', { user: session.username })}>
          <UserOutlined /> {session.username}
        </Typography.Text>
        <Button data-testid="logout" icon={<LogoutOutlined />} onClick={() => void logout()}>
          {t('header.logout')}
        </Button>
      </Space>
    </Layout.Header>
  );
}
