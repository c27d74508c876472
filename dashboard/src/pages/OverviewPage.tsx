import { useEffect, useMemo, useState } from 'react';
import { Alert, Card, Col, Empty, Row, Segmented, Skeleton, Space, Statistic, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { fetchNotifierAlerts } from '../api/alerts';
import { HeatMap } from '../fleet/HeatMap';
import { useFleet } from '../fleet/useFleet';
import { levelColor, type NotifierAlert } from '../lib/alertView';
import { PRESSURES, topN, type FleetNode, type Pressure } from '../lib/fleet';
import { formatBytesPerSec, formatPercent } from '../lib/format';
import { alertsHref, nodeHref } from '../lib/route';

const TOP = 5;
const ALERTS_POLL_MS = 15_000;

/** Firing alerts from the notifier (GET /api/v1/alerting/alerts), polled; null when not permitted or failed. */
function useFiring(): NotifierAlert[] | null {
  const [alerts, setAlerts] = useState<NotifierAlert[] | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const all = await fetchNotifierAlerts(abort.signal);
        setAlerts(all.filter((a) => a.status?.state !== 'resolved'));
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
  }, []);
  return alerts;
}

function TopList({ title, nodes, value, testId }: { title: string; nodes: FleetNode[]; value: (n: FleetNode) => string; testId: string }) {
  const { t } = useTranslation();
  return (
    <Card size="small" title={title} data-testid={testId}>
      {nodes.length === 0 ? (
        <Typography.Text type="secondary">{t('fleet.noData')}</Typography.Text>
      ) : (
        <ol className="syslens-top">
          {nodes.map((n) => (
            <li key={n.id}>
              <a href={nodeHref(n.id)} className="syslens-ellipsis">{n.hostname}</a>
              <span style={{ fontVariantNumeric: 'tabular-nums' }}>{value(n)}</span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

export default function OverviewPage() {
  const { t } = useTranslation();
  const { data, error, startedAt } = useFleet();
  const firing = useFiring();
  const [pressure, setPressure] = useState<Pressure>(() => {
    const saved = localStorage.getItem('syslens.overview.pressure');
    return (PRESSURES as readonly string[]).includes(saved ?? '') ? (saved as Pressure) : 'cpu';
  });
  useEffect(() => localStorage.setItem('syslens.overview.pressure', pressure), [pressure]);

  const nodes = data?.nodes;
  const tops = useMemo(() => (nodes ? {
    cpu: topN(nodes, 'cpu', TOP), memory: topN(nodes, 'memory', TOP), disk: topN(nodes, 'disk', TOP),
  } : null), [nodes]);
  const byLevel = useMemo(() => {
    const m: Record<string, number> = {};
    for (const a of firing ?? []) {
      const level = a.labels.severity || 'none';
      m[level] = (m[level] ?? 0) + 1;
    }
    return m;
  }, [firing]);
  const recent = useMemo(() => [...(firing ?? [])].sort((a, b) => b.startsAt.localeCompare(a.startsAt)).slice(0, 8), [firing]);

  if (!data) {
    return error ? (
      <Alert type="error" showIcon title={t('fleet.loadError', { error: error === 'network' ? t('errors.network') : error })} />
    ) : (
      <Card><Skeleton active paragraph={{ rows: 10 }} /></Card>
    );
  }
  const s = data.summary;
  const pct = (v: number | null) => (v == null ? '–' : formatPercent(v));

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="overview">
      {error && <Alert type="warning" showIcon title={t('fleet.staleData', { error: error === 'network' ? t('errors.network') : error })} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12} xl={8}>
          <Card size="small" title={t('fleet.summary.nodes', { total: data.total })} data-testid="summary-nodes">
            <Space size={24} wrap>
              <Statistic title={t('fleet.status.online')} value={s.status.online ?? 0} styles={{ content: { color: '#389e0d' } }} />
              <Statistic title={t('fleet.status.offline')} value={s.status.offline ?? 0} styles={{ content: { color: s.status.offline ? '#cf1322' : undefined } }} />
              <Statistic title={t('fleet.status.stale')} value={s.status.stale ?? 0} styles={{ content: { color: s.status.stale ? '#ad6800' : undefined } }} />
            </Space>
            <div style={{ marginTop: 8 }}>
              {Object.entries(s.kind).map(([k, v]) => <Tag key={k}>{t(`fleet.kind.${k}`, { defaultValue: k })}: {v}</Tag>)}
            </div>
          </Card>
        </Col>
        {s.vmPower && (
          <Col xs={24} md={12} xl={8}>
            <Card size="small" title={t('fleet.summary.vms')} data-testid="summary-vms">
              <Space size={24} wrap>
                <Statistic title={t('fleet.power.poweredOn')} value={s.vmPower.poweredOn ?? 0} />
                <Statistic title={t('fleet.power.poweredOff')} value={s.vmPower.poweredOff ?? 0} />
              </Space>
            </Card>
          </Col>
        )}
        <Col xs={24} md={12} xl={8}>
          <Card size="small" title={<a href={alertsHref('firing')}>{t('fleet.summary.alerts')}</a>} data-testid="summary-alerts">
            {firing == null ? (
              <Typography.Text type="secondary">{t('fleet.alertsUnavailable')}</Typography.Text>
            ) : (
              <Space size={24} wrap>
                {['critical', 'warning', 'info'].map((l) => (
                  <Statistic key={l} title={t(`fleet.level.${l}`)} value={byLevel[l] ?? 0}
                    styles={{ content: { color: byLevel[l] ? (l === 'critical' ? '#cf1322' : l === 'warning' ? '#ad6800' : '#1677ff') : undefined } }} />
                ))}
              </Space>
            )}
          </Card>
        </Col>
      </Row>

      <Card
        size="small"
        title={t('fleet.heatmap.title')}
        extra={
          <Segmented<Pressure>
            data-testid="pressure-switch"
            value={pressure}
            onChange={setPressure}
            options={PRESSURES.map((p) => ({ value: p, label: <span data-testid={`pressure-${p}`}>{t(`fleet.pressure.${p}`)}</span> }))}
          />
        }
      >
        {data.nodes.length === 0 ? <Empty description={t('fleet.empty')} /> : <HeatMap nodes={data.nodes} pressure={pressure} since={startedAt} />}
        <Space size={12} style={{ marginTop: 8 }} wrap>
          <Typography.Text type="secondary">{t('fleet.heatmap.legend')}</Typography.Text>
          <span className="syslens-legend" />
          {data.truncated && <Typography.Text type="warning">{t('fleet.truncated', { shown: data.nodes.length, total: data.total })}</Typography.Text>}
        </Space>
      </Card>

      <Row gutter={[16, 16]}>
        {tops && (
          <>
            <Col xs={24} md={12} xl={6}><TopList testId="top-cpu" title={t('fleet.top.cpu', { n: TOP })} nodes={tops.cpu} value={(n) => pct(n.cpu)} /></Col>
            <Col xs={24} md={12} xl={6}><TopList testId="top-memory" title={t('fleet.top.memory', { n: TOP })} nodes={tops.memory} value={(n) => pct(n.memory)} /></Col>
            <Col xs={24} md={12} xl={6}><TopList testId="top-disk" title={t('fleet.top.disk', { n: TOP })} nodes={tops.disk} value={(n) => pct(n.disk)} /></Col>
          </>
        )}
        <Col xs={24} md={12} xl={6}>
          <Card size="small" title={t('fleet.recentAlerts')} data-testid="recent-alerts">
            {firing == null ? (
              <Typography.Text type="secondary">{t('fleet.alertsUnavailable')}</Typography.Text>
            ) : recent.length === 0 ? (
              <Typography.Text type="secondary">{t('fleet.noAlerts')}</Typography.Text>
            ) : (
              <ol className="syslens-top">
                {recent.map((a) => (
                  <li key={a.fingerprint}>
                    <Space size={4}>
                      <Tag color={levelColor(a.labels.severity ?? '')}>{a.labels.severity ? t(`fleet.level.${a.labels.severity}`, { defaultValue: a.labels.severity }) : '–'}</Tag>
                      <span className="syslens-ellipsis" style={{ maxWidth: 140 }}>{a.labels.alertname}</span>
                    </Space>
                    {a.labels.node && <a href={nodeHref(a.labels.node)} className="syslens-ellipsis" style={{ maxWidth: 90 }}>{a.labels.node}</a>}
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </Col>
      </Row>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('fleet.updated', { time: new Date(data.generatedAt).toLocaleTimeString() })} · {t('fleet.netScale', { rate: formatBytesPerSec(125e6) })}
      </Typography.Text>
    </Space>
  );
}
