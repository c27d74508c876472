import { Card, Space, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { navigate, REPORT_TABS, reportsHref, type ReportsTab } from '../../lib/route';
import { HistoryTab } from './HistoryTab';
import { SchedulesTab } from './SchedulesTab';

/** The reports page (`#/reports/<tab>`, `#/reports/<id>` opens a report's preview): generated reports and schedules. */
export default function ReportsPage({ tab, id }: { tab: ReportsTab; id?: string }) {
  const { t } = useTranslation();
  return (
    <Card>
      <Space orientation="vertical" size={4} style={{ width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="reports-title">{t('reports.title')}</Typography.Title>
        <Typography.Text type="secondary">{t('reports.intro')}</Typography.Text>
      </Space>
      <Tabs activeKey={tab} onChange={(k) => navigate(reportsHref(k as ReportsTab))} destroyOnHidden style={{ marginTop: 8 }}
        items={REPORT_TABS.map((k) => ({
          key: k, label: <span data-testid={`reports-tab-${k}`}>{t(`reports.tabs.${k}`)}</span>,
          children: k !== tab ? null : k === 'history' ? <HistoryTab openId={id} /> : <SchedulesTab />,
        }))} />
    </Card>
  );
}
