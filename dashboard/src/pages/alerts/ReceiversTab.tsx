import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Empty, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { fetchConfig, fetchDeliveries, fetchReceivers, saveConfig } from '../../api/alerts';
import { integrationSummary, type Delivery, type Receiver } from '../../lib/alertView';
import { errorText, formatTime, usePoll } from './common';

const STATUS_COLOR: Record<string, string> = { delivered: 'green', failed: 'red', retrying: 'orange', pending: 'gold' };

/** The routing configuration as YAML: read, edit, save with the server's validation errors shown. */
function ConfigEditor({ onSaved }: { onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [text, setText] = useState<string | null>(null);
  const [original, setOriginal] = useState('');
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const abort = new AbortController();
    fetchConfig(abort.signal).then((c) => { setText(c); setOriginal(c); }).catch((e: unknown) => { if ((e as Error).name !== 'AbortError') setLoadError(e); });
    return () => abort.abort();
  }, []);

  const save = async () => {
    if (text == null) return;
    setSaving(true);
    setSaveError(null);
    try {
      await saveConfig(text);
      setOriginal(text);
      message.success(t('alerts.receivers.configSaved'));
      onSaved();
    } catch (e) {
      setSaveError(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };

  if (loadError instanceof ApiError && loadError.status === 403) {
    return <Alert type="info" showIcon title={t('alerts.receivers.configForbidden')} />;
  }
  if (loadError) return <Alert type="error" showIcon title={errorText(t, loadError)} />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{t('alerts.receivers.configHelp')}</Typography.Paragraph>
      <Input.TextArea value={text ?? ''} disabled={text == null} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 10, maxRows: 30 }}
        spellCheck={false} style={{ fontFamily: 'monospace', fontSize: 13 }} data-testid="config-text" />
      {saveError && <Alert type="error" showIcon title={t('alerts.receivers.configInvalid', { error: saveError })} data-testid="config-error" />}
      <Space>
        <Button type="primary" icon={<SaveOutlined />} loading={saving} disabled={text == null || text === original} onClick={() => void save()} data-testid="config-save">{t('alerts.common.save')}</Button>
        <Button disabled={text === original} onClick={() => { setText(original); setSaveError(null); }}>{t('alerts.receivers.revert')}</Button>
      </Space>
    </Space>
  );
}

/** Receivers and their integrations (without secrets), the routing configuration, and the delivery log. */
export function ReceiversTab() {
  const { t, i18n } = useTranslation();
  const receivers = usePoll(fetchReceivers, 0);
  const [receiver, setReceiver] = useState<string | undefined>();
  const deliveries = usePoll((signal) => fetchDeliveries(receiver, 200, signal), 15_000, receiver);
  const list = useMemo(() => receivers.data ?? [], [receivers.data]);

  const receiverColumns: ColumnsType<Receiver> = [
    { title: t('alerts.receivers.name'), dataIndex: 'name', width: 180, render: (n: string) => <Typography.Text strong>{n}</Typography.Text> },
    { title: t('alerts.receivers.language'), dataIndex: 'language', width: 130 },
    {
      title: t('alerts.receivers.integrations'), key: 'integrations',
      render: (_, r) => r.integrations.length === 0 ? <Typography.Text type="secondary">{t('alerts.receivers.noIntegrations')}</Typography.Text> : (
        <Space orientation="vertical" size={4}>
          {r.integrations.map((it, i) => (
            <div key={i}><Tag color="blue">{String(it.type ?? '?')}</Tag><Typography.Text type="secondary" style={{ fontSize: 12 }}>{integrationSummary(it)}</Typography.Text></div>
          ))}
        </Space>
      ),
    },
  ];
  const deliveryColumns: ColumnsType<Delivery> = [
    { title: t('alerts.columns.time'), dataIndex: 'time', width: 200, render: (v: string) => formatTime(Date.parse(v), i18n.language) },
    { title: t('alerts.receivers.receiver'), dataIndex: 'receiver', width: 140 },
    { title: t('alerts.receivers.integration'), dataIndex: 'integration', width: 130 },
    { title: t('alerts.receivers.status'), dataIndex: 'status', width: 110, render: (s: string) => <Tag color={STATUS_COLOR[s] ?? 'default'}>{t(`alerts.receivers.statuses.${s}`, { defaultValue: s })}</Tag> },
    { title: t('alerts.receivers.attempt'), dataIndex: 'attempt', width: 90 },
    { title: t('alerts.receivers.alerts'), dataIndex: 'alerts', width: 80 },
    { title: t('alerts.receivers.duration'), dataIndex: 'durationMs', width: 100, render: (ms: number) => `${ms} ms` },
    { title: t('alerts.receivers.error'), dataIndex: 'error', render: (e: string | null) => e ? <Typography.Text type="danger" style={{ fontSize: 12 }}>{e}</Typography.Text> : '–' },
  ];

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small" title={t('alerts.receivers.title')}>
        {receivers.error != null && <Alert type="error" showIcon title={errorText(t, receivers.error)} />}
        <Table<Receiver> rowKey="name" size="small" columns={receiverColumns} dataSource={list} loading={receivers.loading} pagination={false}
          locale={{ emptyText: <Empty description={t('alerts.receivers.none')} /> }} />
      </Card>
      <Card size="small" title={t('alerts.receivers.configTitle')}>
        <ConfigEditor onSaved={receivers.reload} />
      </Card>
      <Card size="small" title={t('alerts.receivers.deliveriesTitle')}
        extra={<Space>
          <Select allowClear placeholder={t('alerts.receivers.receiver')} aria-label={t('alerts.receivers.receiver')} style={{ minWidth: 160 }} value={receiver} onChange={setReceiver} options={list.map((r) => ({ value: r.name, label: r.name }))} />
          <Button icon={<ReloadOutlined />} loading={deliveries.loading} onClick={deliveries.reload}>{t('alerts.common.refresh')}</Button>
        </Space>}>
        {deliveries.error != null && <Alert type="error" showIcon title={errorText(t, deliveries.error)} />}
        <Table<Delivery> rowKey={(d) => `${d.notification}/${d.integration}/${d.attempt}/${d.time}`} size="small" columns={deliveryColumns} dataSource={deliveries.data ?? []}
          loading={deliveries.data == null && deliveries.loading} pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: <Empty description={t('alerts.receivers.noDeliveries')} /> }} scroll={{ x: 900 }} />
      </Card>
    </Space>
  );
}
