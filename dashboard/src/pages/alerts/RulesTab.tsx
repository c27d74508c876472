import { useCallback, useMemo, useState } from 'react';
import { Alert, App, Badge, Button, Descriptions, Drawer, Empty, Input, Modal, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { DeleteOutlined, EditOutlined, EyeOutlined, ImportOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { deleteGroup, fetchPromRules, fetchRuleGroups, importRuleFile, saveGroup } from '../../api/alerts';
import { emptyDraft, modelExpr, modelToDraft, removeRule, type GroupModel, type RuleModel } from '../../lib/alertRules';
import type { PromRule } from '../../lib/alertView';
import { BaselineChart } from './AlertCharts';
import { errorText, LevelTag, StateTag, usePoll } from './common';
import { RuleBuilder, type BuilderTarget } from './RuleBuilder';

interface RuleRow {
  key: string;
  group: GroupModel;
  model: RuleModel;
  name: string;
  kind: string;
  level: string;
  expr: string;
  prom: PromRule | undefined;
  pending: number;
  firing: number;
}

async function loadRules(signal: AbortSignal) {
  const [groups, prom] = await Promise.all([fetchRuleGroups(signal), fetchPromRules(signal)]);
  const byRule = new Map<string, PromRule>();
  for (const g of prom) for (const r of g.rules) byRule.set(`${g.name}\u0000${r.name}`, r);
  return { groups, byRule };
}

const IMPORT_EXAMPLE = `groups:
  - name: node
    rules:
      - alert: InstanceDown
        expr: up == 0
        for: 5m
        labels: {severity: critical}
        annotations: {summary: "{{ $labels.instance }} is down"}`;

/** Rule groups: list with live state, view, edit in the builder, delete, import a Prometheus rule file. */
export function RulesTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data, error, loading, reload } = usePoll(loadRules, 15_000);
  const [builder, setBuilder] = useState<BuilderTarget | null>(null);
  const [viewing, setViewing] = useState<RuleRow | null>(null);
  const [importOpen, setImportOpen] = useState(false);
  const [importText, setImportText] = useState('');
  const [importError, setImportError] = useState<string | null>(null);
  const [search, setSearch] = useState('');

  const groups = useMemo(() => data?.groups ?? [], [data]);
  const exprByName = useMemo(() => {
    const m = new Map<string, string>();
    for (const [key, r] of data?.byRule ?? []) if (r.type === 'alerting') m.set(key.split('\u0000')[1], r.query);
    return m;
  }, [data]);
  const exprOf = useCallback((n: string) => exprByName.get(n), [exprByName]);
  const rows: RuleRow[] = useMemo(() => groups.flatMap((g) => g.rules.map((r) => {
    const name = r.alert ?? r.record ?? '';
    const prom = data?.byRule.get(`${g.name}\u0000${name}`);
    const alerts = prom?.alerts ?? [];
    return {
      key: `${g.name}/${name}`, group: g, model: r, name, kind: r.record ? 'record' : r.kind ?? 'threshold',
      level: r.level ?? r.labels?.severity ?? '', expr: prom?.query || modelExpr(r, exprOf), prom,
      pending: alerts.filter((a) => a.state === 'pending').length, firing: alerts.filter((a) => a.state === 'firing').length,
    };
  })), [groups, data, exprOf]);
  const q = search.trim().toLowerCase();
  const shown = q === '' ? rows : rows.filter((r) => `${r.group.name} ${r.name} ${r.expr}`.toLowerCase().includes(q));
  const alertRuleNames = rows.filter((r) => r.kind !== 'record').map((r) => ({ name: r.name, kind: r.kind }));

  const remove = async (r: RuleRow) => {
    try {
      const rest = removeRule(r.group, r.name);
      if (rest) await saveGroup(rest, true);
      else await deleteGroup(r.group.name);
      message.success(t('alerts.rules.deleted', { name: r.name }));
      reload();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };

  const doImport = async () => {
    setImportError(null);
    try {
      const saved = await importRuleFile(importText);
      message.success(t('alerts.rules.imported', { count: saved.reduce((n, g) => n + g.rules.length, 0), groups: saved.map((g) => g.name).join(', ') }));
      setImportOpen(false);
      reload();
    } catch (e) {
      setImportError(errorText(t, e));
    }
  };

  const columns: ColumnsType<RuleRow> = [
    { title: t('alerts.columns.group'), key: 'group', width: 210, render: (_, r) => <Space size={4}>{r.group.name}{r.group.builtin && <Tag>{t('alerts.rules.builtin')}</Tag>}</Space> },
    {
      title: t('alerts.columns.rule'), key: 'name',
      render: (_, r) => (
        <div>
          <Typography.Text strong>{r.name}</Typography.Text>
          <div><Typography.Text type="secondary" code style={{ fontSize: 12, wordBreak: 'break-all' }}>{r.expr}</Typography.Text></div>
        </div>
      ),
    },
    { title: t('alerts.columns.kind'), dataIndex: 'kind', width: 110, render: (k: string) => <Tag>{t(`alerts.kinds.${k}`, { defaultValue: k })}</Tag> },
    { title: t('alerts.columns.level'), dataIndex: 'level', width: 100, render: (l: string) => <LevelTag level={l} /> },
    {
      title: t('alerts.columns.state'), key: 'state', width: 170,
      render: (_, r) => r.kind === 'record' ? '–' : (
        <Space size={4} wrap>
          <StateTag state={r.prom?.state ?? 'inactive'} />
          {r.firing > 0 && <Badge count={r.firing} color="red" title={t('alerts.states.firing')} />}
          {r.pending > 0 && <Badge count={r.pending} color="gold" title={t('alerts.states.pending')} />}
        </Space>
      ),
    },
    {
      title: t('alerts.columns.health'), key: 'health', width: 90,
      render: (_, r) => r.prom?.lastError ? <Tooltip title={r.prom.lastError}><Tag color="error">{t('alerts.rules.error')}</Tag></Tooltip> : <Tag color="success">{t('alerts.rules.ok')}</Tag>,
    },
    {
      title: t('alerts.columns.actions'), key: 'actions', width: 150,
      render: (_, r) => (
        <Space size={2}>
          <Tooltip title={t('alerts.rules.view')}><Button type="text" icon={<EyeOutlined />} onClick={() => setViewing(r)} aria-label={t('alerts.rules.view')} data-testid={`rule-view-${r.name}`} /></Tooltip>
          {!r.group.builtin && r.kind !== 'record' && (
            <Tooltip title={t('alerts.rules.edit')}>
              <Button type="text" icon={<EditOutlined />} aria-label={t('alerts.rules.edit')} data-testid={`rule-edit-${r.name}`}
                onClick={() => setBuilder({ draft: modelToDraft(r.model, r.group.name, r.group.interval), original: { group: r.group.name, name: r.name } })} />
            </Tooltip>
          )}
          {!r.group.builtin && (
            <Popconfirm title={t('alerts.rules.confirmDelete', { name: r.name })} onConfirm={() => void remove(r)} okText={t('alerts.common.delete')} cancelText={t('alerts.common.cancel')}>
              <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('alerts.common.delete')} />
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  const now = Date.now();
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap>
        <Button type="primary" icon={<PlusOutlined />} data-testid="rule-new" onClick={() => setBuilder({ draft: emptyDraft(), original: null })}>{t('alerts.rules.new')}</Button>
        <Button icon={<ImportOutlined />} onClick={() => { setImportText(''); setImportError(null); setImportOpen(true); }} data-testid="rule-import">{t('alerts.rules.import')}</Button>
        <Input.Search allowClear placeholder={t('alerts.rules.search')} style={{ width: 260 }} onChange={(e) => setSearch(e.target.value)} />
        <Button icon={<ReloadOutlined />} loading={loading} onClick={reload}>{t('alerts.common.refresh')}</Button>
      </Space>
      {error != null && <Alert type="error" showIcon title={errorText(t, error)} />}
      <Table<RuleRow> rowKey="key" size="middle" columns={columns} dataSource={shown} loading={data == null && loading} pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(r) => ({ 'data-testid': `rule-row-${r.name}` } as React.HTMLAttributes<HTMLElement>)}
        locale={{ emptyText: <Empty description={t('alerts.rules.none')} /> }} scroll={{ x: 900 }} />
      {builder && (
        <RuleBuilder target={builder} groups={groups} exprOf={exprOf} alertRuleNames={alertRuleNames} onClose={() => setBuilder(null)}
          onSaved={() => { message.success(t('alerts.rules.saved')); setBuilder(null); reload(); }} />
      )}
      <Drawer open={viewing != null} onClose={() => setViewing(null)} size={820} title={viewing?.name} destroyOnHidden>
        {viewing && (
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Descriptions size="small" column={2} bordered>
              <Descriptions.Item label={t('alerts.columns.group')}>{viewing.group.name} ({viewing.group.interval})</Descriptions.Item>
              <Descriptions.Item label={t('alerts.columns.kind')}>{t(`alerts.kinds.${viewing.kind}`, { defaultValue: viewing.kind })}</Descriptions.Item>
              <Descriptions.Item label={t('alerts.columns.level')}><LevelTag level={viewing.level} /></Descriptions.Item>
              <Descriptions.Item label={t('alerts.builder.for')}>{viewing.model.for ?? '0s'}</Descriptions.Item>
              <Descriptions.Item label={t('alerts.builder.generated')} span={2}><Typography.Text code style={{ wordBreak: 'break-all' }}>{viewing.expr}</Typography.Text></Descriptions.Item>
              {viewing.prom?.lastError && <Descriptions.Item label={t('alerts.rules.error')} span={2}><Typography.Text type="danger">{viewing.prom.lastError}</Typography.Text></Descriptions.Item>}
            </Descriptions>
            {viewing.kind === 'anomaly' && viewing.model.anomaly && (
              <>
                <Typography.Title level={5} style={{ margin: 0 }}>{t('alerts.rules.baselineTitle')}</Typography.Title>
                <BaselineChart rule={viewing.name} expr={viewing.model.anomaly.expr} startMs={now - 86_400_000} endMs={now} stepSeconds={300} />
              </>
            )}
            <Typography.Title level={5} style={{ margin: 0 }}>{t('alerts.rules.definition')}</Typography.Title>
            <pre className="syslens-code">{JSON.stringify(viewing.model, null, 2)}</pre>
          </Space>
        )}
      </Drawer>
      <Modal open={importOpen} title={t('alerts.rules.importTitle')} onCancel={() => setImportOpen(false)} onOk={() => void doImport()} width={720}
        okText={t('alerts.rules.import')} cancelText={t('alerts.common.cancel')} okButtonProps={{ disabled: importText.trim() === '' }}>
        <Typography.Paragraph type="secondary">{t('alerts.rules.importHelp')}</Typography.Paragraph>
        <Input.TextArea rows={14} value={importText} onChange={(e) => setImportText(e.target.value)} placeholder={IMPORT_EXAMPLE} style={{ fontFamily: 'monospace' }} data-testid="rule-import-text" />
        {importError && <Alert type="error" showIcon title={importError} style={{ marginTop: 12 }} />}
      </Modal>
    </Space>
  );
}
