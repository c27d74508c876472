import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Row, Space, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError, queryRange } from '../api/client';
import { EChart } from '../components/EChart';
import { useLive, useNow } from '../live/LiveProvider';
import { formatBytesPerSec, formatPercent, formatRelativeTime } from '../lib/format';
import { nodeQueries, type NodeSeriesKey } from '../lib/promql';
import { appendPoint, countValues, matrixToPoints, mergeHistory, type Point } from '../lib/series';
import type { SampleMessage } from '../lib/types';
import { LabelTags, StatusTag } from '../components/NodeTags';
import { lineChartOption } from './chartOptions';

const WINDOW_MS = 60 * 60 * 1000;
const STEP_SECONDS = 15;
const KEYS: NodeSeriesKey[] = ['cpu', 'memory', 'netRx', 'netTx', 'diskRead', 'diskWrite'];
type SeriesState = Record<NodeSeriesKey, Point[]>;

const emptySeries = (): SeriesState => ({ cpu: [], memory: [], netRx: [], netTx: [], diskRead: [], diskWrite: [] });

const SAMPLE_FIELDS: Record<NodeSeriesKey, keyof SampleMessage> = {
  cpu: 'cpuPercent',
  memory: 'memoryPercent',
  netRx: 'netRxBytesPerSec',
  netTx: 'netTxBytesPerSec',
  diskRead: 'diskReadBytesPerSec',
  diskWrite: 'diskWriteBytesPerSec',
};

/** Adds a live sample's figures to the series; a null figure adds nothing to its series. */
export function applySample(series: SeriesState, s: SampleMessage): SeriesState {
  const next = { ...series };
  for (const k of KEYS) {
    const v = s[SAMPLE_FIELDS[k]];
    if (typeof v === 'number' && Number.isFinite(v)) next[k] = appendPoint(series[k], [s.t, v], WINDOW_MS);
  }
  return next;
}

function useNodeSeries(nodeId: string) {
  const { subscribeSamples } = useLive();
  const [series, setSeries] = useState<SeriesState>(emptySeries);
  const [error, setError] = useState<string | null>(null);
  const [historyEnd, setHistoryEnd] = useState(() => Date.now());

  useEffect(() => {
    // Live samples first, so none is lost while the history loads; mergeHistory keeps those newer than it.
    const unsubscribe = subscribeSamples((s) => {
      if (s.nodeId === nodeId) setSeries((prev) => applySample(prev, s));
    });
    const abort = new AbortController();
    const end = Date.now();
    const start = end - WINDOW_MS;
    const queries = nodeQueries(nodeId);
    Promise.all(KEYS.map((k) => queryRange(queries[k], start, end, STEP_SECONDS, abort.signal)))
      .then((results) => {
        setHistoryEnd(end);
        setSeries((live) => {
          const merged = emptySeries();
          KEYS.forEach((k, i) => {
            merged[k] = mergeHistory(matrixToPoints(results[i]), live[k], WINDOW_MS);
          });
          return merged;
        });
      })
      .catch((e: unknown) => {
        if ((e as Error).name === 'AbortError') return;
        if (e instanceof ApiError && e.status === 401) return;
        setError(e instanceof ApiError && e.status === 0 ? 'network' : (e as Error).message);
      });
    return () => {
      abort.abort();
      unsubscribe();
    };
  }, [nodeId, subscribeSamples]);

  return { series, error, historyEnd };
}

function lastTime(series: SeriesState): number {
  let t = 0;
  for (const k of KEYS) {
    const p = series[k];
    if (p.length > 0) t = Math.max(t, p[p.length - 1][0]);
  }
  return t;
}

function ChartCard({ title, testId, points, children }: { title: string; testId: string; points?: number; children: React.ReactNode }) {
  return (
    <Card size="small" title={title} className="syslens-chart-card">
      <div data-testid={testId} data-points={points}>{children}</div>
    </Card>
  );
}

export default function NodeDetailPage({ nodeId }: { nodeId: string }) {
  const { t, i18n } = useTranslation();
  const { state } = useLive();
  const now = useNow(1000);
  const node = state.nodes[nodeId];
  const { series, error, historyEnd } = useNodeSeries(nodeId);

  const end = Math.max(historyEnd, lastTime(series));
  const start = end - WINDOW_MS;

  const options = useMemo(() => {
    const pct = (v: number) => formatPercent(v).replace('.0%', '%');
    return {
      cpu: lineChartOption([{ name: t('charts.cpuSeries'), points: series.cpu, color: '#1677ff' }], start, end, pct, 100),
      memory: lineChartOption([{ name: t('charts.memorySeries'), points: series.memory, color: '#722ed1' }], start, end, pct, 100),
      network: lineChartOption([
        { name: t('charts.rx'), points: series.netRx, color: '#13c2c2' },
        { name: t('charts.tx'), points: series.netTx, color: '#fa8c16' },
      ], start, end, formatBytesPerSec),
      disk: lineChartOption([
        { name: t('charts.read'), points: series.diskRead, color: '#52c41a' },
        { name: t('charts.write'), points: series.diskWrite, color: '#eb2f96' },
      ], start, end, formatBytesPerSec),
    };
    // i18n.language: chart labels follow a language switch
  }, [series, start, end, t, i18n.language]);

  const charts: { key: keyof typeof options; title: string; testId: string; points?: number }[] = [
    { key: 'cpu', title: t('charts.cpu'), testId: 'chart-cpu', points: countValues(series.cpu) },
    { key: 'memory', title: t('charts.memory'), testId: 'chart-memory', points: countValues(series.memory) },
    { key: 'network', title: t('charts.network'), testId: 'chart-network' },
    { key: 'disk', title: t('charts.disk'), testId: 'chart-disk' },
  ];

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
              <Descriptions.Item label={t('detail.labels')}>
                {Object.keys(node.labels).length > 0 ? <LabelTags labels={node.labels} /> : t('detail.noLabels')}
              </Descriptions.Item>
            </Descriptions>
          )}
        </Space>
      </Card>
      {error && <Alert type="error" showIcon title={t('detail.loadError', { error: error === 'network' ? t('errors.network') : error })} />}
      <Typography.Text type="secondary">{t('detail.range')}</Typography.Text>
      <Row gutter={[16, 16]}>
        {charts.map((c) => (
          <Col key={c.key} xs={24} xl={12}>
            <ChartCard title={c.title} testId={c.testId} points={c.points}>
              <EChart option={options[c.key]} />
            </ChartCard>
          </Col>
        ))}
      </Row>
    </Space>
  );
}
