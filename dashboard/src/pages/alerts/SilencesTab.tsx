import { useMemo, useState } from 'react';
import { Alert, App, Button, Empty, Popconfirm, Segmented, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { expireSilence, fetchSilences } from '../../api/alerts';
import { matcherText, type Silence } from '../../lib/alertView';
import { errorText, formatTime, usePoll } from './common';
import { SilenceForm } from './SilenceForm';

type StateFilter = 'all' | Silence['status']['state'];
const STATE_COLOR: Record<string, string> = { active: 'green', pending: 'gold', expired: 'default' };

/** Silences by state; create one, expire one. */
export function SilencesTab() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { data, error, loading, reload } = usePoll(fetchSilences, 15_000);
  const [state, setState] = useState<StateFilter>('active');
  const [creating, setCreating] = useState(false);
  const all = useMemo(() => data ?? [], [data]);
  const shown = useMemo(() => all.filter((s) => state === 'all' || s.status.state === state)
    .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt)), [all, state]);
  const count = (s: StateFilter) => (s === 'all' ? all.length : all.filter((x) => x.status.state === s).length);

  const expire = async (s: Silence) => {
    try {
      await expireSilence(s.id);
      message.success(t('alerts.silences.expiredOne'));
      reload();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };

  const columns: ColumnsType<Silence> = [
    { title: t('alerts.columns.state'), key: 'state', width: 100, render: (_, s) => <Tag color={STATE_COLOR[s.status.state]}>{t(`alerts.silences.states.${s.status.state}`)}</Tag> },
    {
      title: t('alerts.silences.matchers'), key: 'matchers',
      render: (_, s) => <Space size={[4, 4]} wrap>{s.matchers.map((m, i) => <Tag key={i} color="purple" style={{ fontFamily: 'monospace' }}>{matcherText(m)}</Tag>)}</Space>,
    },
    { title: t('alerts.silences.startsAt'), key: 'start', width: 210, render: (_, s) => formatTime(Date.parse(s.startsAt), i18n.language) },
    { title: t('alerts.silences.endsAt'), key: 'end', width: 210, render: (_, s) => formatTime(Date.parse(s.endsAt), i18n.language) },
    { title: t('alerts.silences.createdBy'), dataIndex: 'createdBy', width: 120 },
    { title: t('alerts.silences.comment'), dataIndex: 'comment', render: (c: string) => <Typography.Text>{c}</Typography.Text> },
    {
      title: t('alerts.columns.actions'), key: 'actions', width: 110,
      render: (_, s) => s.status.state === 'expired' ? null : (
        <Popconfirm title={t('alerts.silences.confirmExpire')} onConfirm={() => void expire(s)} okText={t('alerts.silences.expire')} cancelText={t('alerts.common.cancel')}>
          <Button size="small" danger data-testid="silence-expire">{t('alerts.silences.expire')}</Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="silence-new">{t('alerts.silences.new')}</Button>
        <Segmented<StateFilter> value={state} onChange={setState}
          options={(['active', 'pending', 'expired', 'all'] as StateFilter[]).map((s) => ({ value: s, label: `${t(`alerts.silences.states.${s}`)} (${count(s)})` }))} />
        <Button icon={<ReloadOutlined />} loading={loading} onClick={reload}>{t('alerts.common.refresh')}</Button>
      </Space>
      {error != null && <Alert type="error" showIcon title={errorText(t, error)} />}
      <Table<Silence> rowKey="id" size="middle" columns={columns} dataSource={shown} loading={data == null && loading} pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(s) => ({ 'data-testid': `silence-row-${s.id}` } as React.HTMLAttributes<HTMLElement>)}
        locale={{ emptyText: <Empty description={t('alerts.silences.none')} /> }} scroll={{ x: 900 }} />
      <SilenceForm open={creating} initialMatchers={[]} onClose={() => setCreating(false)} onCreated={() => { setCreating(false); reload(); }} />
    </Space>
  );
}
