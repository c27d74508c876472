import { useMemo } from 'react';
import { Alert, Descriptions, Drawer, Empty, Skeleton, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { fetchPreview } from '../../api/reports';
import { EChart } from '../../components/EChart';
import { formatBytesPerSec } from '../../lib/format';
import type { PreviewSection } from '../../lib/reports';
import { errorText, formatTime, usePoll } from '../alerts/common';
import { lineChartOption } from '../chartOptions';

const COLORS = ['#1677ff', '#52c41a', '#fa8c16', '#eb2f96', '#722ed1', '#13c2c2', '#a0d911', '#f5222d'];

function formatUnit(unit: string): (v: number) => string {
  if (unit === 'ratio') return (v) => `${(v * 100).toFixed(0)}%`;
  if (unit === 'bytes_per_second') return formatBytesPerSec;
  return (v) => (Math.abs(v) >= 1000 ? v.toExponential(1) : `${Math.round(v * 100) / 100}`);
}

function Section({ s }: { s: PreviewSection }) {
  const option = useMemo(() => {
    if (!s.chart || s.chart.lines.length === 0) return null;
    const lines = s.chart.lines.slice(0, COLORS.length).map((l, i) => ({
      name: l.name, color: COLORS[i], points: l.points.map(([t, v]) => [t * 1000, v] as [number, number]),
    }));
    const ts = lines.flatMap((l) => l.points.map((p) => p[0]));
    return lineChartOption(lines, Math.min(...ts), Math.max(...ts), formatUnit(s.chart.unit));
  }, [s]);
  const columns = s.columns.map((c, i) => ({
    title: c.title, key: String(i), align: c.unit === 'text' ? ('left' as const) : ('right' as const),
    render: (_: unknown, row: { key: string; cells: PreviewSection['rows'][number] }) => row.cells[i]?.text ?? '',
  }));
  const rows = useMemo(() => s.rows.map((cells, i) => ({ key: String(i), cells })), [s]);
  return (
    <div data-testid={`preview-section-${s.kind}`} style={{ marginBottom: 24 }}>
      <Typography.Title level={4}>{s.title}</Typography.Title>
      {s.notes.map((n, i) => <Typography.Paragraph key={i} type="secondary" style={{ marginBottom: 4 }}>{n}</Typography.Paragraph>)}
      {option && <EChart option={option} notMerge style={{ height: 240, marginBottom: 12 }} />}
      <Table rowKey="key" size="small" columns={columns} dataSource={rows} pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }} />
    </div>
  );
}

/** The HTML preview of a stored report (its preview JSON), in the report's own language. */
export function ReportPreview({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { data, error, loading } = usePoll((signal) => (id ? fetchPreview(id, signal) : Promise.resolve(null)), 0, id);
  return (
    <Drawer open={id != null} onClose={onClose} size="min(1100px, 96vw)" destroyOnHidden
      title={data?.title ?? t('reports.actions.preview')}>
      {error != null && <Alert type="error" showIcon title={errorText(t, error)} />}
      {data == null && loading && <Skeleton active paragraph={{ rows: 10 }} />}
      {data && (
        <div data-testid="report-preview">
          <Descriptions size="small" column={1} style={{ marginBottom: 16 }} items={[{
            key: 'what', label: data.installation,
            children: t('reports.messages.previewOf', {
              scope: data.scope, start: formatTime(Date.parse(data.start), i18n.language), end: formatTime(Date.parse(data.end), i18n.language),
              nodes: data.nodes, step: data.step,
            }),
          }]} />
          {data.empty && <Empty description={t('reports.messages.empty')} />}
          {data.sections.map((s, i) => <Section key={`${s.kind}-${i}`} s={s} />)}
        </div>
      )}
    </Drawer>
  );
}
