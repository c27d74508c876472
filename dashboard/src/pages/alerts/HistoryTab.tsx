import { useCallback, useMemo, useState } from 'react';
import { Alert, Button, DatePicker, Descriptions, Drawer, Empty, Input, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { SearchOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { fetchHistory, fetchPromRules } from '../../api/alerts';
import { historyQuery, pageOf, windowAround, type HistoryEntry, type HistoryFilter } from '../../lib/alertView';
import { ExpressionChart } from './AlertCharts';
import { errorText, formatTime, LabelList, LevelTag, StateTag, usePoll } from './common';

const PAGE_SIZE = 25;

type Row = HistoryEntry & { key: string; atMs: number };

/** State changes by rule, node, level and time range; an entry opens the chart around that moment. */
export function HistoryTab({ initialRule }: { initialRule?: string }) {
  const { t, i18n } = useTranslation();
  const [rule, setRule] = useState(initialRule ?? '');
  const [node, setNode] = useState('');
  const [level, setLevel] = useState<string | undefined>();
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  const [query, setQuery] = useState<HistoryFilter>(() => ({ rule: initialRule, startMs: Date.now() - 86_400_000, endMs: Date.now() + 60_000, limit: PAGE_SIZE + 1 }));
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Row | null>(null);

  const load = useCallback(async (signal: AbortSignal) => {
    // One row more than a page tells whether there is a next one (the server pages by offset).
    const [changes, groups] = await Promise.all([fetchHistory(historyQuery({ ...query, offset: (page - 1) * PAGE_SIZE }), signal), fetchPromRules(signal)]);
    const exprs = new Map<string, string>();
    for (const g of groups) for (const r of g.rules) if (r.type === 'alerting') exprs.set(r.name, r.query);
    return { rows: changes.map((c, i) => ({ ...c, key: `${i}`, atMs: Date.parse(c.time) })), exprs };
  }, [query, page]);
  const { data, error, loading } = usePoll(load, 0, load);

  const search = () => {
    const now = Date.now();
    setQuery({
      rule, node, level,
      startMs: range ? range[0].valueOf() : now - 86_400_000,
      endMs: range ? range[1].valueOf() : now + 60_000,
      limit: PAGE_SIZE + 1,
    });
    setPage(1);
  };

  const { rows, total } = pageOf(data?.rows ?? [], page, PAGE_SIZE);
  const columns: ColumnsType<Row> = [
    { title: t('alerts.columns.time'), dataIndex: 'atMs', width: 220, render: (at: number) => formatTime(at, i18n.language) },
    { title: t('alerts.columns.rule'), dataIndex: 'rule', render: (r: string) => <Typography.Text strong>{r}</Typography.Text> },
    { title: t('alerts.columns.node'), dataIndex: 'node', render: (n: string) => n || '–' },
    { title: t('alerts.columns.level'), dataIndex: 'level', width: 100, render: (l: string) => <LevelTag level={l} /> },
    {
      title: t('alerts.columns.change'), key: 'change', width: 230,
      render: (_, r) => <Space size={4}><StateTag state={r.from} />→<StateTag state={r.to} /></Space>,
    },
    { title: t('alerts.columns.value'), dataIndex: 'value', width: 110 },
  ];

  const windowed = useMemo(() => (selected ? windowAround(selected.atMs, Date.now()) : null), [selected]);
  const expr = selected ? data?.exprs.get(selected.rule) : undefined;

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap>
        <Input allowClear placeholder={t('alerts.filters.rule')} aria-label={t('alerts.filters.rule')} style={{ width: 180 }} value={rule} onChange={(e) => setRule(e.target.value)} onPressEnter={search} data-testid="history-rule" />
        <Input allowClear placeholder={t('alerts.filters.node')} aria-label={t('alerts.filters.node')} style={{ width: 180 }} value={node} onChange={(e) => setNode(e.target.value)} onPressEnter={search} />
        <Select allowClear placeholder={t('alerts.filters.level')} aria-label={t('alerts.filters.level')} style={{ width: 140 }} value={level} onChange={setLevel}
          options={['critical', 'warning', 'info'].map((l) => ({ value: l, label: t(`alerts.levels.${l}`) }))} />
        <DatePicker.RangePicker showTime value={range} onChange={(v) => setRange(v && v[0] && v[1] ? [v[0], v[1]] : null)}
          presets={[
            { label: t('alerts.history.lastHour'), value: [dayjs().subtract(1, 'hour'), dayjs()] },
            { label: t('alerts.history.lastDay'), value: [dayjs().subtract(1, 'day'), dayjs()] },
            { label: t('alerts.history.lastWeek'), value: [dayjs().subtract(7, 'day'), dayjs()] },
          ]} />
        <Button type="primary" icon={<SearchOutlined />} onClick={search} loading={loading} data-testid="history-search">{t('alerts.history.search')}</Button>
      </Space>
      {error != null && <Alert type="error" showIcon title={errorText(t, error)} />}
      <Table<Row> rowKey="key" size="middle" columns={columns} dataSource={rows} loading={loading}
        pagination={{ current: page, pageSize: PAGE_SIZE, total, showSizeChanger: false, hideOnSinglePage: true, onChange: setPage }}
        onRow={(r) => ({ onClick: () => setSelected(r), style: { cursor: 'pointer' }, 'data-testid': `history-row-${r.rule}-${r.to}` } as React.HTMLAttributes<HTMLElement>)}
        locale={{ emptyText: <Empty description={t('alerts.history.none')} /> }} />
      <Drawer open={selected != null} onClose={() => setSelected(null)} size={860} title={selected ? `${selected.rule} · ${t(`alerts.states.${selected.to}`)}` : ''} destroyOnHidden>
        {selected && (
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Descriptions size="small" column={2} bordered>
              <Descriptions.Item label={t('alerts.columns.time')}>{formatTime(selected.atMs, i18n.language)}</Descriptions.Item>
              <Descriptions.Item label={t('alerts.columns.level')}><LevelTag level={selected.level} /></Descriptions.Item>
              <Descriptions.Item label={t('alerts.columns.change')}><Space size={4}><StateTag state={selected.from} />→<StateTag state={selected.to} /></Space></Descriptions.Item>
              <Descriptions.Item label={t('alerts.columns.value')}>{selected.value}</Descriptions.Item>
              <Descriptions.Item label={t('alerts.columns.labels')} span={2}><LabelList labels={selected.labels} /></Descriptions.Item>
            </Descriptions>
            <Typography.Title level={5} style={{ margin: 0 }}>{t('alerts.history.chartTitle')}</Typography.Title>
            {expr && windowed ? (
              <ExpressionChart expr={expr} labels={selected.labels} startMs={windowed.start} endMs={windowed.end} stepSeconds={windowed.step}
                markAt={selected.atMs} markLabel={t(`alerts.states.${selected.to}`)} testId="history-chart" />
            ) : <Alert type="info" showIcon title={t('alerts.history.ruleGone')} />}
          </Space>
        )}
      </Drawer>
    </Space>
  );
}
