import { useEffect, useState } from 'react';
import { Alert, App, Button, Empty, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { DownloadOutlined, EyeOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { downloadReport, fetchReports, runReport } from '../../api/reports';
import { useSession } from '../../api/session';
import { browserZone, formatSize, REPORT_FORMATS, reportBody, type ReportEntry, type ReportForm, type ReportFormat } from '../../lib/reports';
import { errorText, formatTime, usePoll } from '../alerts/common';
import { CommonFields, Problems } from './fields';
import { ReportPreview } from './ReportPreview';

function newForm(language: string): ReportForm {
  const lang = language === 'zh-CN' || language === 'ja-JP' ? language : 'en';
  return { kinds: ['utilization'], scopeKind: 'all', scopeValue: '', period: '7d', format: 'pdf', language: lang, timezone: browserZone() };
}

/** Runs a report now (kind, scope, period, format, language). */
function RunForm({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: (e: ReportEntry) => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [f, setF] = useState<ReportForm>(() => newForm(i18n.language));
  const [problems, setProblems] = useState<{ key: string; value?: string }[]>([]);
  const [serverError, setServerError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  useEffect(() => {
    if (open) {
      setF(newForm(i18n.language));
      setProblems([]);
      setServerError(null);
    }
    // Reset only when the form opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  const set = (patch: Partial<ReportForm>) => setF((x) => ({ ...x, ...patch }));
  const submit = async () => {
    const r = reportBody(f);
    setProblems(r.problems);
    setServerError(null);
    if (!r.body) return;
    setRunning(true);
    try {
      const e = await runReport(r.body);
      message.success(t('reports.messages.done', { pages: e.pages }));
      onDone(e);
    } catch (e) {
      setServerError(errorText(t, e));
    } finally {
      setRunning(false);
    }
  };
  return (
    <Modal open={open} title={t('reports.actions.new')} onCancel={onClose} onOk={() => void submit()} confirmLoading={running}
      okText={t('reports.actions.run')} cancelText={t('reports.actions.cancel')} okButtonProps={{ 'data-testid': 'report-run' }} width={720} destroyOnHidden>
      <Form layout="vertical">
        <CommonFields kinds={f.kinds} setKinds={(kinds) => set({ kinds })} scopeKind={f.scopeKind} setScopeKind={(scopeKind) => set({ scopeKind })}
          scopeValue={f.scopeValue} setScopeValue={(scopeValue) => set({ scopeValue })} language={f.language} setLanguage={(language) => set({ language })} />
        <Space size={16} wrap>
          <Form.Item label={t('reports.fields.period')} help={t('reports.fields.periodHelp')}>
            <Input data-testid="report-period" value={f.period} onChange={(e) => set({ period: e.target.value })} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item label={t('reports.fields.format')}>
            <Select<ReportFormat> value={f.format} onChange={(format) => set({ format })} style={{ width: 120 }} data-testid="report-format"
              options={REPORT_FORMATS.map((x) => ({ value: x, label: x.toUpperCase() }))} />
          </Form.Item>
          <Form.Item label={t('reports.fields.timezone')}>
            <Input value={f.timezone} onChange={(e) => set({ timezone: e.target.value })} style={{ width: 220 }} />
          </Form.Item>
        </Space>
      </Form>
      {running && <Alert type="info" showIcon title={t('reports.messages.running')} />}
      <Problems problems={problems} />
      {serverError && <Alert type="error" showIcon title={serverError} data-testid="report-error" />}
    </Modal>
  );
}

/** The caller's generated reports (and those a schedule sent them): preview, download, run a new one. */
export function HistoryTab({ openId }: { openId?: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const session = useSession();
  const { data, error, loading, reload } = usePoll(fetchReports, 60_000);
  const [creating, setCreating] = useState(false);
  const [preview, setPreview] = useState<string | null>(openId ?? null);
  useEffect(() => setPreview(openId ?? null), [openId]);

  const download = async (e: ReportEntry) => {
    try {
      await downloadReport(e);
    } catch (err) {
      message.error(errorText(t, err));
    }
  };
  const columns: ColumnsType<ReportEntry> = [
    { title: t('reports.columns.created'), key: 'created', width: 190, render: (_, e) => formatTime(Date.parse(e.createdAt), i18n.language) },
    {
      title: t('reports.columns.kinds'), key: 'kinds',
      render: (_, e) => (
        <Space size={[4, 4]} wrap>
          {e.kinds.split(',').map((k) => <Tag key={k}>{t(`reports.kinds.${k}`, { defaultValue: k })}</Tag>)}
          {e.schedule && <Tag color="blue">{t('reports.messages.scheduled')}</Tag>}
          {session && e.owner !== session.username && <Tag color="purple">{t('reports.messages.sharedBy', { owner: e.owner })}</Tag>}
        </Space>
      ),
    },
    { title: t('reports.columns.scope'), dataIndex: 'scope', width: 160 },
    {
      title: t('reports.columns.period'), key: 'period', width: 250,
      render: (_, e) => `${formatTime(Date.parse(e.start), i18n.language)} – ${formatTime(Date.parse(e.end), i18n.language)}`,
    },
    { title: t('reports.columns.format'), key: 'format', width: 80, render: (_, e) => e.format.toUpperCase() },
    { title: t('reports.columns.language'), key: 'language', width: 100, render: (_, e) => t(`reports.languages.${e.language}`, { defaultValue: e.language }) },
    { title: t('reports.columns.nodes'), dataIndex: 'nodes', width: 80, align: 'right' },
    { title: t('reports.columns.size'), key: 'size', width: 90, align: 'right', render: (_, e) => formatSize(e.bytes) },
    {
      title: t('reports.columns.actions'), key: 'actions', width: 220,
      render: (_, e) => (
        <Space>
          <Button size="small" icon={<EyeOutlined />} onClick={() => setPreview(e.id)} data-testid={`report-preview-${e.id}`}>{t('reports.actions.preview')}</Button>
          <Button size="small" icon={<DownloadOutlined />} onClick={() => void download(e)} data-testid={`report-download-${e.id}`}>{t('reports.actions.download')}</Button>
        </Space>
      ),
    },
  ];
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="report-new">{t('reports.actions.new')}</Button>
        <Button icon={<ReloadOutlined />} loading={loading} onClick={reload}>{t('reports.actions.refresh')}</Button>
      </Space>
      {error != null && <Alert type="error" showIcon title={errorText(t, error)} />}
      <Table<ReportEntry> rowKey="id" size="middle" columns={columns} dataSource={data ?? []} loading={data == null && loading}
        pagination={{ pageSize: 50, hideOnSinglePage: true }} scroll={{ x: 1100 }}
        onRow={(e) => ({ 'data-testid': `report-row-${e.id}` } as React.HTMLAttributes<HTMLElement>)}
        locale={{ emptyText: <Empty description={t('reports.messages.noReports')} /> }} />
      <RunForm open={creating} onClose={() => setCreating(false)} onDone={(e) => { setCreating(false); reload(); setPreview(e.id); }} />
      <ReportPreview id={preview} onClose={() => setPreview(null)} />
    </Space>
  );
}
