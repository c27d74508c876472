import { useMemo, useState } from 'react';
import { Alert, Card, Empty, Input, Progress, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useLive, useNow } from '../live/LiveProvider';
import { formatPercent, formatRelativeTime } from '../lib/format';
import { filterNodes } from '../lib/liveReducer';
import { navigate, nodeHref } from '../lib/route';
import type { NodeInfo } from '../lib/types';

export function StatusTag({ status }: { status: NodeInfo['status'] }) {
  const { t } = useTranslation();
  return (
    <Tag color={status === 'online' ? 'success' : 'default'} data-testid="node-status">
      {t(`status.${status}`)}
    </Tag>
  );
}

export function LabelTags({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Space size={[4, 4]} wrap>
      {entries.map(([k, v]) => (
        <Tag key={k} color="blue" variant="filled">{`${k}=${v}`}</Tag>
      ))}
    </Space>
  );
}

function Usage({ value }: { value: number | null }) {
  if (value == null) return <Typography.Text type="secondary">–</Typography.Text>;
  const clamped = Math.max(0, Math.min(100, value));
  const color = clamped >= 90 ? '#ff4d4f' : clamped >= 75 ? '#faad14' : '#1677ff';
  return (
    <Tooltip title={formatPercent(value)}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, minWidth: 140 }}>
        <Progress percent={clamped} showInfo={false} size="small" strokeColor={color} style={{ flex: 1, margin: 0 }} />
        <span style={{ width: 48, textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{formatPercent(value)}</span>
      </div>
    </Tooltip>
  );
}

export function NodeListPage() {
  const { t } = useTranslation();
  const { state, loadError } = useLive();
  const now = useNow(1000);
  const [search, setSearch] = useState('');
  const rows = useMemo(() => filterNodes(state, search), [state, search]);
  const all = Object.values(state.nodes);
  const online = all.filter((n) => n.status === 'online').length;

  const columns: ColumnsType<NodeInfo> = [
    {
      title: t('nodes.columns.host'),
      key: 'host',
      sorter: (a, b) => a.hostname.localeCompare(b.hostname),
      render: (_, n) => (
        <div>
          <a href={nodeHref(n.id)} onClick={(e) => e.stopPropagation()} style={{ fontWeight: 600 }}>{n.hostname}</a>
          {n.hostname !== n.id && <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{n.id}</Typography.Text></div>}
          {n.os && <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{n.os}</Typography.Text></div>}
        </div>
      ),
    },
    {
      title: t('nodes.columns.status'),
      dataIndex: 'status',
      width: 110,
      sorter: (a, b) => a.status.localeCompare(b.status),
      render: (s: NodeInfo['status']) => <StatusTag status={s} />,
    },
    {
      title: t('nodes.columns.cpu'),
      dataIndex: 'cpuPercent',
      width: 200,
      sorter: (a, b) => (a.cpuPercent ?? -1) - (b.cpuPercent ?? -1),
      render: (v: number | null) => <Usage value={v} />,
    },
    {
      title: t('nodes.columns.memory'),
      dataIndex: 'memoryPercent',
      width: 200,
      sorter: (a, b) => (a.memoryPercent ?? -1) - (b.memoryPercent ?? -1),
      render: (v: number | null) => <Usage value={v} />,
    },
    {
      title: t('nodes.columns.labels'),
      dataIndex: 'labels',
      render: (labels: Record<string, string>) => <LabelTags labels={labels} />,
    },
    {
      title: t('nodes.columns.lastSeen'),
      dataIndex: 'lastSeen',
      width: 140,
      sorter: (a, b) => (a.lastSeen ?? 0) - (b.lastSeen ?? 0),
      render: (v: number | null) => (
        <Tooltip title={v ? new Date(v).toLocaleString() : undefined}>
          <span data-testid="last-seen" style={{ fontVariantNumeric: 'tabular-nums' }}>{formatRelativeTime(t, now, v)}</span>
        </Tooltip>
      ),
    },
  ];

  return (
    <Card
      title={
        <Space size={12} align="baseline">
          <span>{t('nodes.title')}</span>
          <Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal' }} data-testid="nodes-summary">
            {t('nodes.summary', { online, offline: all.length - online, total: all.length })}
          </Typography.Text>
        </Space>
      }
      extra={
        <Input
          data-testid="node-search"
          allowClear
          prefix={<SearchOutlined />}
          placeholder={t('nodes.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          style={{ width: 300 }}
        />
      }
    >
      {loadError && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }}
          title={t('nodes.loadError', { error: loadError === 'network' ? t('errors.network') : loadError })} />
      )}
      <Table<NodeInfo>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={rows}
        loading={!state.loaded && !loadError}
        rowClassName={() => 'syslens-row'}
        pagination={rows.length > 50 ? { pageSize: 50, showSizeChanger: true } : false}
        onRow={(n) => ({ onClick: () => navigate(nodeHref(n.id)), 'data-testid': `node-row-${n.id}` }) as React.HTMLAttributes<HTMLElement>}
        locale={{ emptyText: <Empty description={search ? t('nodes.noMatch', { search }) : t('nodes.empty')} /> }}
        scroll={{ x: 900 }}
      />
    </Card>
  );
}
