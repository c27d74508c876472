import { Card, Space, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ALERT_TABS, alertsHref, navigate, type AlertsTab } from '../../lib/route';
import { FiringTab } from './FiringTab';
import { HistoryTab } from './HistoryTab';
import { ReceiversTab } from './ReceiversTab';
import { RulesTab } from './RulesTab';
import { SilencesTab } from './SilencesTab';

const TABS: Record<AlertsTab, (rule?: string) => React.ReactNode> = {
  firing: () => <FiringTab />,
  history: (rule) => <HistoryTab key={rule ?? ''} initialRule={rule} />,
  rules: () => <RulesTab />,
  silences: () => <SilencesTab />,
  receivers: () => <ReceiversTab />,
};

/** The alerts area (`#/alerts/<tab>`): firing alerts, history, rules, silences, receivers. */
export default function AlertsPage({ tab, rule }: { tab: AlertsTab; rule?: string }) {
  const { t } = useTranslation();
  return (
    <Card>
      <Space orientation="vertical" size={4} style={{ width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="alerts-title">{t(`alerts.tabs.${tab}`)}</Typography.Title>
        <Typography.Text type="secondary">{t(`alerts.intro.${tab}`)}</Typography.Text>
      </Space>
      <Tabs activeKey={tab} onChange={(k) => navigate(alertsHref(k as AlertsTab))} destroyOnHidden style={{ marginTop: 8 }}
        items={ALERT_TABS.map((k) => ({ key: k, label: <span data-testid={`alerts-tab-${k}`}>{t(`alerts.tabs.${k}`)}</span>, children: k === tab ? TABS[k](rule) : null }))} />
    </Card>
  );
}
