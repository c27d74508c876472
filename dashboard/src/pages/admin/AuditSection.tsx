import { useEffect, useState } from 'react';
import { Alert, App, Button, DatePicker, Input, Space, Table, Typography } from 'antd';
import { DownloadOutlined, SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { searchAudit, verifyAudit, type AuditEntry, type AuditFilter, type AuditVerification } from '../../api/admin';
import { toCsv } from '../../lib/admin';
import { formatTime } from './shared';

const PAGE = 50;
/** Most records one CSV export holds (the server's page limit). */
const EXPORT_MAX = 1000;

/** The auditor's view: filter by actor, action and time, page back, export CSV, verify the hash chain. */
export default function AuditSection() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [range, setRange] = useState<[number | undefined, number | undefined]>([undefined, undefined]);
  const [filter, setFilter] = useState<AuditFilter>({});
  const [pages, setPages] = useState<number[]>([]); // "before" cursors of the pages visited
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [chain, setChain] = useState<AuditVerification | null>(null);

  const before = pages.length ? pages[pages.length - 1] : undefined;
  useEffect(() => {
    let live = true;
    setLoading(true);
    searchAudit({ ...filter, before, limit: PAGE }).then(
      (r) => { if (live) { setRows(r); setError(null); setLoading(false); } },
      (e: Error) => { if (live) { setError(e.message); setLoading(false); } },
    );
    return () => { live = false; };
  }, [filter, before]);

  const verify = () => verifyAudit().then(setChain, (e: Error) => setChain({ ok: false, checked: 0, firstBadSeq: null, problem: e.message }));
  useEffect(() => { void verify(); }, []);

  const search = () => {
    setPages([]);
    setFilter({ actor: actor.trim() || undefined, action: action.trim() || undefined, from: range[0], to: range[1] });
  };

  const exportCsv = async () => {
    try {
      const all = await searchAudit({ ...filter, limit: EXPORT_MAX });
      const csv = toCsv(['seq', 'time', 'actor', 'action', 'target', 'source', 'detail', 'hash'],
        all.map((e) => [e.seq, new Date(e.atMs).toISOString(), e.actor, e.action, e.target, e.source, e.detail, e.hash]));
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `syslens-audit-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      void message.error(t('admin.common.failed', { reason: (e as Error).message }));
    }
  };

  return (
    <div data-testid="admin-audit">
      {chain && (
        <Alert
          data-testid="audit-chain"
          type={chain.ok ? 'success' : 'error'}
          showIcon
          style={{ marginBottom: 16 }}
          title={chain.ok ? t('admin.audit.chainOk', { count: chain.checked }) : t('admin.audit.chainBroken', { seq: chain.firstBadSeq ?? '?', problem: chain.problem ?? '' })}
        />
      )}
      <Space wrap style={{ marginBottom: 16 }}>
        <Input data-testid="audit-actor" placeholder={t('admin.audit.filterActor')} value={actor} onChange={(e) => setActor(e.target.value)} onPressEnter={search} style={{ width: 180 }} maxLength={128} allowClear />
        <Input data-testid="audit-action" placeholder={t('admin.audit.filterAction')} value={action} onChange={(e) => setAction(e.target.value)} onPressEnter={search} style={{ width: 220 }} maxLength={64} allowClear />
        <DatePicker.RangePicker showTime aria-label={t('admin.audit.range')}
          onChange={(d) => setRange([d?.[0]?.valueOf(), d?.[1]?.valueOf()])} />
        <Button type="primary" icon={<SearchOutlined />} data-testid="audit-search" onClick={search}>{t('admin.audit.search')}</Button>
        <Button icon={<DownloadOutlined />} data-testid="audit-export" onClick={() => void exportCsv()}>{t('admin.audit.exportCsv')}</Button>
        <Button icon={<SafetyCertificateOutlined />} onClick={() => void verify()}>{t('admin.audit.verify')}</Button>
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<AuditEntry>
        data-testid="audit-table"
        rowKey="seq"
        size="small"
        loading={loading}
        dataSource={rows}
        pagination={false}
        columns={[
          { title: '#', dataIndex: 'seq', width: 70 },
          { title: t('admin.audit.time'), dataIndex: 'atMs', width: 190, render: (v: number) => formatTime(v, '') },
          { title: t('admin.audit.actor'), dataIndex: 'actor', width: 120 },
          { title: t('admin.audit.action'), dataIndex: 'action', width: 170, render: (a: string) => <code data-testid="audit-action-cell">{a}</code> },
          { title: t('admin.audit.target'), dataIndex: 'target', width: 160 },
          { title: t('admin.audit.source'), dataIndex: 'source', width: 120 },
          { title: t('admin.audit.detail'), dataIndex: 'detail', render: (d: string) => <Typography.Text ellipsis={{ tooltip: d }} style={{ maxWidth: 420 }}>{d}</Typography.Text> },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button disabled={pages.length === 0} onClick={() => setPages([])}>{t('admin.audit.newest')}</Button>
        <Button disabled={rows.length < PAGE} onClick={() => setPages((p) => [...p, rows[rows.length - 1].seq])}>{t('admin.audit.older')}</Button>
      </Space>
    </div>
  );
}
