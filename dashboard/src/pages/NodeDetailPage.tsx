import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Empty, Row, Space, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { fetchNotifierAlerts } from '../api/alerts';
import { EChart } from '../components/EChart';
import { TimeRangePicker } from '../components/TimeRangePicker';
import { useLive, useLiveNodes, useNow } from '../live/LiveProvider';
import { levelColor, type NotifierAlert } from '../lib/alertView';
import { formatBytes, formatBytesPerSec, formatPercent, formatRelativeTime } from '../lib/format';
import { breakdownQueries, nodeKind, nodeQueries, type BreakdownKey, type NodeSeriesKey } from '../lib/promql';
import { navigate, nodeHref } from '../lib/route';
import { countValues, matrixToNamed, type MatrixSeries } from '../lib/series';
import { compareOffsetMs, parseRangeQuery, queryWindow, rangeQuery, rateWindow, resolveRange, slideWindow, zoomRange, type RangeState } from '../lib/timeRange';
import { LabelTags, StatusTag } from '../components/NodeTags';
import { lineChartOption, type LineSeries } from './chartOptions';
import { KEYS, useMainSeries, useMatrices } from './nodeHistory';

const ALERTS_POLL_MS = 15_000;
const BREAKDOWN_REFRESH_MS = 60_000;
/** While a node's breakdowns are still empty (no rates yet), how often they are asked again. */
const BREAKDOWN_RETRY_MS = 5_000;
const MAX_BREAKDOWN_SERIES = 8;

function ChartCard({ title, testId, points, children }: { title: string; testId: string; points?: number; children: React.ReactNode }) {
  return (
    <Card size="small" title={title} className="syslens-chart-card">
      <div data-testid={testId} data-points={points}>{children}</div>
    </Card>
  );
}

/** The node's active alerts from the notifier, polled; null when not permitted or failed. */
function useNodeAlerts(nodeId: string): NotifierAlert[] | null {
  const [alerts, setAlerts] = useState<NotifierAlert[] | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const all = await fetchNotifierAlerts(abort.signal);
        setAlerts(all.filter((a) => a.labels?.node === nodeId && a.status?.state !== 'resolved'));
      } catch (e) {
        if ((e as Error).name === 'AbortError') return;
        setAlerts(null);
      }
      timer = setTimeout(() => void load(), ALERTS_POLL_MS);
    };
    void load();
    return () => {
      abort.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [nodeId]);
  return alerts;
}

function NodeAlerts({ nodeId }: { nodeId: string }) {
  const { t } = useTranslation();
  const alerts = useNodeAlerts(nodeId);
  if (alerts === null) return null;
  return (
    <Card size="small" title={t('history.alerts.title')} data-testid="node-alerts">
      {alerts.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('history.alerts.none')} />
      ) : (
        <Table
          size="small"
          rowKey="fingerprint"
          pagination={false}
          dataSource={alerts}
          columns={[
            { title: t('history.alerts.name'), render: (_, a) => a.labels.alertname },
            { title: t('history.alerts.level'), render: (_, a) => { const l = a.labels.level ?? a.labels.severity ?? ''; return l ? <Tag color={levelColor(l)}>{l}</Tag> : '–'; } },
            { title: t('history.alerts.since'), render: (_, a) => new Date(a.startsAt).toLocaleString() },
            { title: t('history.alerts.summary'), render: (_, a) => a.annotations?.summary ?? '' },
          ]}
        />
      )}
    </Card>
  );
}

const BREAKDOWN_NAME: Record<BreakdownKey, (m: Record<string, string>) => string> = {
  filesystem: (m) => m.mountpoint ?? '?',
  nicRx: (m) => `${m.device ?? '?'} rx`,
  nicTx: (m) => `${m.device ?? '?'} tx`,
  processCpu: (m) => m.comm ?? '?',
  processMemory: (m) => m.comm ?? '?',
};
const BREAKDOWN_KEYS: BreakdownKey[] = ['filesystem', 'nicRx', 'nicTx', 'processCpu', 'processMemory'];

export default function NodeDetailPage({ nodeId, query = '' }: { nodeId: string; query?: string }) {
  const { t, i18n } = useTranslation();
  const { state } = useLive();
  useLiveNodes([nodeId]); // this node's status and samples (the live chart points) on the socket
  const now = useNow(1000);
  const node = state.nodes[nodeId] as (typeof state.nodes)[string] & { kind?: string; configVersion?: number } | undefined;
  const kind = nodeKind(nodeId, node?.kind);

  const rangeState = useMemo(() => parseRangeQuery(query), [query]);
  const setRange = useCallback((r: RangeState) => navigate(nodeHref(nodeId, rangeQuery(r))), [nodeId]);
  // Resolved once per range (a range ending now then slides with live samples, not by re-querying).
  const range = useMemo(() => resolveRange(rangeState, Date.now()), [rangeState]);
  const win = useMemo(() => queryWindow(range), [range]);
  const rw = rateWindow(win.step);
  const queries = useMemo(() => nodeQueries(nodeId, rw, kind), [nodeId, rw, kind]);
  // vSphere VMs and hosts have no live feed: their history is asked again while the range ends now.
  const { series, error, loading } = useMainSeries(nodeId, queries, win, range, kind !== 'agent');

  const offset = rangeState.cmp ? compareOffsetMs(rangeState.cmp, range) : 0;
  const compare = useMatrices(rangeState.cmp ? KEYS.map((k) => queries[k]) : null, win, offset, 0);

  // Breakdowns: agents only; refreshed every minute while the range ends now, and every few
  // seconds while they are still empty (a node that just started has no rates yet).
  const [tick, setTick] = useState(0);
  const breakdownExprs = useMemo(() => {
    if (kind !== 'agent') return null;
    const b = breakdownQueries(nodeId, rw);
    return BREAKDOWN_KEYS.map((k) => b[k]);
  }, [kind, nodeId, rw]);
  // A live range's re-query slides to now: the window as resolved when the page opened may end
  // before the node's first rates, and asking for it again would stay empty for good.
  const breakdownWin = useMemo(() => (range.live && tick > 0 ? slideWindow(win, Date.now()) : win), [win, tick, range.live]);
  const breakdowns = useMatrices(breakdownExprs, breakdownWin, 0, tick);
  const breakdownsEmpty = breakdowns.data != null && breakdowns.data.every((m) => m.length === 0);
  useEffect(() => {
    if (!range.live) return;
    const timer = setInterval(() => setTick((n) => n + 1), breakdownsEmpty ? BREAKDOWN_RETRY_MS : BREAKDOWN_REFRESH_MS);
    return () => clearInterval(timer);
  }, [range.live, breakdownsEmpty]);

  const live = range.live;
  const end = live ? Math.max(now, range.end) : range.end;
  const start = end - (range.end - range.start);
  const onBrush = useCallback((a: number, b: number) => setRange(zoomRange(a, b, rangeState.cmp)), [setRange, rangeState.cmp]);

  const options = useMemo(() => {
    const pct = (v: number) => formatPercent(v).replace('.0%', '%');
    const cmpName = (name: string) => t('history.compare.series', { name });
    const withCompare = (lines: (LineSeries & { key: NodeSeriesKey })[]): LineSeries[] => {
      if (!compare.data) return lines;
      const shifted = lines.map((l) => ({
        name: cmpName(l.name),
        points: matrixToNamed(compare.data![KEYS.indexOf(l.key)] ?? [], () => '', 1, offset)[0]?.points ?? [],
        color: l.color,
        dashed: true,
      }));
      return [...lines, ...shifted];
    };
    return {
      cpu: lineChartOption(withCompare([{ key: 'cpu', name: t('charts.cpuSeries'), points: series.cpu, color: '#1677ff' }]), start, end, pct, 100),
      memory: lineChartOption(withCompare([{ key: 'memory', name: t('charts.memorySeries'), points: series.memory, color: '#722ed1' }]), start, end, pct, 100),
      network: lineChartOption(withCompare([
        { key: 'netRx', name: t('charts.rx'), points: series.netRx, color: '#13c2c2' },
        { key: 'netTx', name: t('charts.tx'), points: series.netTx, color: '#fa8c16' },
      ]), start, end, formatBytesPerSec),
      disk: lineChartOption(withCompare([
        { key: 'diskRead', name: t('charts.read'), points: series.diskRead, color: '#52c41a' },
        { key: 'diskWrite', name: t('charts.write'), points: series.diskWrite, color: '#eb2f96' },
      ]), start, end, formatBytesPerSec),
    };
    // i18n.language: chart labels follow a language switch
  }, [series, compare.data, offset, start, end, t, i18n.language]);

  const breakdownOptions = useMemo(() => {
    if (!breakdowns.data) return null;
    const named = (i: number) => matrixToNamed(breakdowns.data![i] as MatrixSeries[], BREAKDOWN_NAME[BREAKDOWN_KEYS[i]], MAX_BREAKDOWN_SERIES);
    const [bStart, bEnd] = [breakdownWin.end - (range.end - range.start), breakdownWin.end];
    const cores = (v: number) => v.toFixed(2);
    return [
      { key: 'filesystem', title: t('history.breakdown.filesystem'), count: breakdowns.data[0].length, option: lineChartOption(named(0), bStart, bEnd, (v) => formatPercent(v).replace('.0%', '%'), 100) },
      { key: 'nic', title: t('history.breakdown.nic'), count: breakdowns.data[1].length, option: lineChartOption([...named(1), ...named(2)], bStart, bEnd, formatBytesPerSec) },
      { key: 'processCpu', title: t('history.breakdown.processCpu'), count: breakdowns.data[3].length, option: lineChartOption(named(3), bStart, bEnd, cores) },
      { key: 'processMemory', title: t('history.breakdown.processMemory'), count: breakdowns.data[4].length, option: lineChartOption(named(4), bStart, bEnd, formatBytes) },
    ].filter((b) => b.count > 0);
  }, [breakdowns.data, breakdownWin.end, range.start, range.end, t, i18n.language]);

  const charts: { key: keyof typeof options; title: string; testId: string; points?: number }[] = [
    { key: 'cpu', title: t('charts.cpu'), testId: 'chart-cpu', points: countValues(series.cpu) },
    { key: 'memory', title: t('charts.memory'), testId: 'chart-memory', points: countValues(series.memory) },
    { key: 'network', title: t('charts.network'), testId: 'chart-network' },
    { key: 'disk', title: t('charts.disk'), testId: 'chart-disk' },
  ];
  const shownError = error ?? compare.error ?? breakdowns.error;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card>
        <Space orientation="vertical" size={12} style={{ width: '100%' }}>
          <Button type="link" href="#/nodes" icon={<ArrowLeftOutlined />} style={{ padding: 0 }}>{t('detail.back')}</Button>
          <Space size={12} align="center" wrap>
            <Typography.Title level={3} style={{ margin: 0 }} data-testid="node-title">{node?.hostname ?? nodeId}</Typography.Title>
            {node && <StatusTag status={node.status} />}
            {node && node.hostname !== node.id && <Typography.Text type="secondary">{node.id}</Typography.Text>}
          </Space>
          {state.loaded && !node && <Alert type="warning" showIcon title={t('detail.notFound', { id: nodeId })} />}
          {node && (
            <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 4 }}>
              <Descriptions.Item label={t('detail.os')}>{node.os || '–'}</Descriptions.Item>
              <Descriptions.Item label={t('detail.agentVersion')}>{node.agentVersion || '–'}</Descriptions.Item>
              <Descriptions.Item label={t('detail.lastSeen')}>{formatRelativeTime(t, now, node.lastSeen)}</Descriptions.Item>
              <Descriptions.Item label={t('history.configVersion')}>{node.configVersion ? String(node.configVersion) : '–'}</Descriptions.Item>
              <Descriptions.Item label={t('detail.labels')}>
                {Object.keys(node.labels).length > 0 ? <LabelTags labels={node.labels} /> : t('detail.noLabels')}
              </Descriptions.Item>
            </Descriptions>
          )}
        </Space>
      </Card>
      <Card size="small">
        <TimeRangePicker value={rangeState} onChange={setRange} />
        <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>{t('history.range.zoomHint')}</Typography.Paragraph>
      </Card>
      {shownError && <Alert type="error" showIcon title={t('detail.loadError', { error: shownError === 'network' ? t('errors.network') : shownError })} />}
      <Row gutter={[16, 16]} data-testid="detail-charts" data-loading={loading ? 'true' : 'false'} data-start={range.start} data-end={range.end} data-step={win.step} data-compare={compare.data ? 'loaded' : rangeState.cmp ? 'loading' : 'none'}>
        {charts.map((c) => (
          <Col key={c.key} xs={24} xl={12}>
            <ChartCard title={c.title} testId={c.testId} points={c.points}>
              <EChart key={compare.data ? 'cmp' : 'plain'} option={options[c.key]} onBrush={onBrush} />
            </ChartCard>
          </Col>
        ))}
      </Row>
      {breakdownOptions && breakdownOptions.length > 0 && (
        <Row gutter={[16, 16]} data-testid="breakdowns">
          {breakdownOptions.map((b) => (
            <Col key={b.key} xs={24} xl={12}>
              <ChartCard title={b.title} testId={`breakdown-${b.key}`} points={b.count}>
                <EChart option={b.option} notMerge onBrush={onBrush} />
              </ChartCard>
            </Col>
          ))}
        </Row>
      )}
      <NodeAlerts nodeId={nodeId} />
    </Space>
  );
}
