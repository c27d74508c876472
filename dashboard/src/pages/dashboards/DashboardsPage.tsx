import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Dropdown, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { AppstoreAddOutlined, ImportOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { createDashboard, listDashboards } from '../../api/dashboards';
import { builtinDashboards, emptyDashboard, LIMITS, readImport, type DashboardDoc, type DashboardSummary } from '../../lib/dashboards';
import { dashboardHref, navigate } from '../../lib/route';

function ImportModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [skipped, setSkipped] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const r = readImport(text);
    if ('error' in r) {
      setError(r.error);
      return;
    }
    setBusy(true);
    try {
      const created = await createDashboard(r.doc, false);
      setSkipped(r.skipped);
      setError(null);
      if (r.skipped.length === 0) {
        onClose();
        navigate(dashboardHref(created.id));
      } else {
        setText(dashboardHref(created.id));
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const readFile = (f: File) => {
    if (f.size > LIMITS.body) {
      setError(`body: ${f.size} bytes (expected: at most ${LIMITS.body})`);
      return;
    }
    void f.text().then(setText);
  };
  return (
    <Modal open={open} title={t('dash.import.title')} onCancel={onClose} okText={t('dash.import.submit')} cancelText={t('dash.cancel')} confirmLoading={busy}
      onOk={() => (skipped.length ? (onClose(), navigate(text)) : void submit())} okButtonProps={{ 'data-testid': 'import-submit' } as Record<string, string>} destroyOnHidden>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph type="secondary">{t('dash.import.help')}</Typography.Paragraph>
        <input type="file" accept=".json,application/json" aria-label={t('dash.import.file')} data-testid="import-file" onChange={(e) => e.target.files?.[0] && readFile(e.target.files[0])} />
        <Input.TextArea data-testid="import-text" aria-label={t('dash.import.paste')} rows={10} value={skipped.length ? '' : text} onChange={(e) => setText(e.target.value)} placeholder={t('dash.import.paste')} disabled={skipped.length > 0} />
        {error && <Alert type="error" showIcon title={error} data-testid="import-error" />}
        {skipped.length > 0 && (
          <Alert type="warning" showIcon data-testid="import-skipped" title={t('dash.import.skipped', { count: skipped.length })}
            description={<ul style={{ margin: 0, paddingLeft: 18 }}>{skipped.slice(0, 50).map((s) => <li key={s}>{s}</li>)}</ul>} />
        )}
      </Space>
    </Modal>
  );
}

export default function DashboardsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [items, setItems] = useState<DashboardSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);

  useEffect(() => {
    const abort = new AbortController();
    listDashboards(abort.signal).then(setItems, (e: unknown) => {
      if ((e as Error).name !== 'AbortError') setError((e as Error).message);
    });
    return () => abort.abort();
  }, []);

  const create = async (doc: DashboardDoc) => {
    try {
      const d = await createDashboard(doc, false);
      navigate(dashboardHref(d.id));
    } catch (e) {
      message.error(t('dash.saveFailed', { error: (e as Error).message }));
    }
  };

  return (
    <Card
      title={<Typography.Title level={3} style={{ margin: 0 }}>{t('dash.title')}</Typography.Title>}
      extra={
        <Space wrap>
          <Button data-testid="dashboard-new" type="primary" icon={<PlusOutlined />} onClick={() => void create(emptyDashboard(t('dash.newTitle')))}>{t('dash.new')}</Button>
          <Dropdown menu={{ items: builtinDashboards().map((d, i) => ({ key: String(i), label: d.title })), onClick: ({ key }) => void create(builtinDashboards()[Number(key)]) }}>
            <Button data-testid="dashboard-template" icon={<AppstoreAddOutlined />}>{t('dash.fromTemplate')}</Button>
          </Dropdown>
          <Button data-testid="dashboard-import" icon={<ImportOutlined />} onClick={() => setImporting(true)}>{t('dash.import.title')}</Button>
        </Space>
      }
    >
      {error && <Alert type="error" showIcon title={t('dash.loadFailed', { error })} />}
      <Table<DashboardSummary>
        data-testid="dashboard-list"
        rowKey="id"
        loading={items === null && !error}
        dataSource={items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: t('dash.none') }}
        columns={[
          { title: t('dash.columns.title'), dataIndex: 'title', render: (v: string, d) => <a href={dashboardHref(d.id)} data-testid={`dashboard-link-${d.id}`}>{v}</a>, sorter: (a, b) => a.title.localeCompare(b.title) },
          { title: t('dash.columns.owner'), dataIndex: 'owner', render: (v: string, d) => <Space>{v}{d.shared && <Tag color="blue">{t('dash.sharedTag')}</Tag>}</Space> },
          { title: t('dash.columns.version'), dataIndex: 'version', width: 100 },
          { title: t('dash.columns.updated'), dataIndex: 'updatedAt', render: (v: number) => new Date(v).toLocaleString(), width: 200 },
        ]}
      />
      <ImportModal open={importing} onClose={() => setImporting(false)} />
    </Card>
  );
}
