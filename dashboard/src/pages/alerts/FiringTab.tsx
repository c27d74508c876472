import { useMemo, useState } from 'react';
import { Alert, App, Button, Empty, Input, Modal, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { BellOutlined, CheckOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { acknowledge, fetchNotifierAlerts, fetchPromRules, unacknowledge } from '../../api/alerts';
import { useNow } from '../../live/LiveProvider';
import { formatRelativeTime } from '../../lib/format';
import { distinct, filterAlerts, matchersFromLabels, mergeAlerts, type AlertFilter, type AlertRow, type SilenceMatcher } from '../../lib/alertView';
import { nodeHref } from '../../lib/route';
import { errorText, formatTime, LabelList, LevelTag, StateTag, usePoll } from './common';
import { SilenceForm } from './SilenceForm';

export const REFRESH_MS = 10_000;

async function loadAlerts(signal: AbortSignal): Promise<AlertRow[]> {
  const [groups, notifier] = await Promise.all([fetchPromRules(signal), fetchNotifierAlerts(signal)]);
  return mergeAlerts(groups, notifier);
}

/** Pending and firing alerts, refreshed every 10 s: acknowledge, silence, filter. */
export function FiringTab() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const now = useNow(1000);
  const { data, error, loading, reload } = usePoll(loadAlerts, REFRESH_MS);
  const [filter, setFilter] = useState<AlertFilter>({});
  const [ackFor, setAckFor] = useState<AlertRow | null>(null);
  const [ackComment, setAckComment] = useState('');
  const [silenceFor, setSilenceFor] = useState<SilenceMatcher[] | null>(null);
  const rows = useMemo(() => data ?? [], [data]);
  const shown = useMemo(() => filterAlerts(rows, filter), [rows, filter]);

  const doAck = async () => {
    if (!ackFor?.fingerprint) return;
    try {
      await acknowledge(ackFor.fingerprint, ackComment.trim());
      message.success(t('alerts.firing.acked'));
      setAckFor(null);
      reload();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  const doUnack = async (r: AlertRow) => {
    try {
      await unacknowledge(r.fingerprint!);
      reload();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };

  const columns: ColumnsType<AlertRow> = [
    { title: t('alerts.columns.state'), dataIndex: 'state', width: 100, render: (s: string) => <StateTag state={s} /> },
    { title: t('alerts.columns.level'), dataIndex: 'level', width: 100, render: (l: string) => <LevelTag level={l} /> },
    {
      title: t('alerts.columns.alert'), key: 'alert',
      render: (_, r) => (
        <div>
          <Typography.Text strong data-testid="alert-name">{r.rule}</Typography.Text>
          {r.node && <> · <a href={nodeHref(r.node)}>{r.node}</a></>}
          {r.annotations.summary && <div><Typography.Text type="secondary">{r.annotations.summary}</Typography.Text></div>}
          <div style={{ marginTop: 4 }}><LabelList labels={r.labels} skip={['alertname', 'severity']} /></div>
        </div>
      ),
    },
    { title: t('alerts.columns.value'), dataIndex: 'value', width: 110, render: (v: string) => <span style={{ fontVariantNumeric: 'tabular-nums' }}>{v}</span> },
    {
      title: t('alerts.columns.since'), dataIndex: 'activeAt', width: 150,
      render: (at: number) => <Tooltip title={formatTime(at, i18n.language)}>{formatRelativeTime(t, now, at)}</Tooltip>,
    },
    {
      title: t('alerts.columns.handling'), key: 'handling', width: 220,
      render: (_, r) => (
        <Space orientation="vertical" size={2}>
          {r.acknowledged ? (
            <Tooltip title={r.acknowledged.comment || undefined}>
              <Tag color="green" icon={<CheckOutlined />} data-testid="ack-state">{t('alerts.firing.ackedBy', { user: r.acknowledged.by })}</Tag>
            </Tooltip>
          ) : r.state === 'firing' ? <Tag data-testid="ack-state">{t('alerts.firing.notAcked')}</Tag> : null}
          {r.silencedBy.length > 0 && <Tag color="purple" icon={<StopOutlined />}>{t('alerts.firing.silenced')}</Tag>}
          {r.inhibited && <Tag color="geekblue">{t('alerts.firing.inhibited')}</Tag>}
          {r.maintenance && <Tag color="cyan">{t('alerts.firing.maintenance', { window: r.maintenance })}</Tag>}
        </Space>
      ),
    },
    {
      title: t('alerts.columns.actions'), key: 'actions', width: 220,
      render: (_, r) => (
        <Space wrap>
          {r.acknowledged
            ? <Button size="small" onClick={() => void doUnack(r)}>{t('alerts.firing.unack')}</Button>
            : (
              <Tooltip title={r.fingerprint ? undefined : t('alerts.firing.ackPendingHint')}>
                <Button size="small" type="primary" icon={<CheckOutlined />} disabled={!r.fingerprint} data-testid="ack-button"
                  onClick={() => { setAckComment(''); setAckFor(r); }}>{t('alerts.firing.ack')}</Button>
              </Tooltip>
            )}
          <Button size="small" icon={<BellOutlined />} data-testid="silence-button" onClick={() => setSilenceFor(matchersFromLabels(r.labels))}>{t('alerts.firing.silence')}</Button>
        </Space>
      ),
    },
  ];

  const option = (v: string) => ({ value: v, label: v });
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap>
        <Select allowClear placeholder={t('alerts.filters.level')} aria-label={t('alerts.filters.level')} style={{ minWidth: 140 }} value={filter.level} onChange={(level) => setFilter((f) => ({ ...f, level }))}
          options={distinct(rows, (r) => r.level).map(option)} data-testid="filter-level" />
        <Select allowClear showSearch placeholder={t('alerts.filters.rule')} aria-label={t('alerts.filters.rule')} style={{ minWidth: 180 }} value={filter.rule} onChange={(rule) => setFilter((f) => ({ ...f, rule }))}
          options={distinct(rows, (r) => r.rule).map(option)} />
        <Select allowClear showSearch placeholder={t('alerts.filters.node')} aria-label={t('alerts.filters.node')} style={{ minWidth: 180 }} value={filter.node} onChange={(node) => setFilter((f) => ({ ...f, node }))}
          options={distinct(rows, (r) => r.node).map(option)} />
        <Select allowClear placeholder={t('alerts.filters.state')} aria-label={t('alerts.filters.state')} style={{ minWidth: 120 }} value={filter.state} onChange={(state) => setFilter((f) => ({ ...f, state }))}
          options={['firing', 'pending'].map((s) => ({ value: s, label: t(`alerts.states.${s}`) }))} />
        <Input.Search allowClear placeholder={t('alerts.filters.text')} aria-label={t('alerts.filters.text')} style={{ width: 240 }} onChange={(e) => setFilter((f) => ({ ...f, text: e.target.value }))} />
        <Button icon={<ReloadOutlined />} loading={loading} onClick={reload}>{t('alerts.common.refresh')}</Button>
        <Typography.Text type="secondary">{t('alerts.firing.summary', { firing: rows.filter((r) => r.state === 'firing').length, pending: rows.filter((r) => r.state === 'pending').length })}</Typography.Text>
      </Space>
      {error != null && <Alert type="error" showIcon title={errorText(t, error)} />}
      <Table<AlertRow> rowKey="key" size="middle" columns={columns} dataSource={shown} loading={data == null && loading} pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(r) => ({ 'data-testid': `alert-row-${r.rule}` } as React.HTMLAttributes<HTMLElement>)}
        locale={{ emptyText: <Empty description={rows.length === 0 ? t('alerts.firing.none') : t('alerts.common.noMatch')} /> }} scroll={{ x: 1000 }} />
      <Modal open={ackFor != null} title={t('alerts.firing.ackTitle', { rule: ackFor?.rule ?? '' })} onCancel={() => setAckFor(null)} onOk={() => void doAck()}
        okText={t('alerts.firing.ack')} cancelText={t('alerts.common.cancel')} okButtonProps={{ 'data-testid': 'ack-confirm' } as Record<string, string>}>
        <Typography.Paragraph type="secondary">{t('alerts.firing.ackHelp')}</Typography.Paragraph>
        <Input.TextArea rows={3} maxLength={1024} value={ackComment} onChange={(e) => setAckComment(e.target.value)} placeholder={t('alerts.firing.ackComment')} aria-label={t('alerts.firing.ackComment')} data-testid="ack-comment" />
      </Modal>
      <SilenceForm open={silenceFor != null} initialMatchers={silenceFor ?? []} onClose={() => setSilenceFor(null)} onCreated={() => { setSilenceFor(null); reload(); }} />
    </Space>
  );
}
