import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App, Alert, Button, Card, Input, Popconfirm, Select, Skeleton, Space, Switch, Tag, Tooltip, Typography } from 'antd';
import { ArrowLeftOutlined, DeleteOutlined, DownloadOutlined, DragOutlined, EditOutlined, PlusOutlined, SaveOutlined, SettingOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { getSession } from '../../api/session';
import { deleteDashboard, getDashboard, labelValues, saveDashboard } from '../../api/dashboards';
import { TimeRangePicker } from '../../components/TimeRangePicker';
import { newPanel, parseLabelValues, variablesFromQuery, variablesToQuery, type DashboardDoc, type GridPos, type Panel, type StoredDashboard, type Variable } from '../../lib/dashboards';
import { DASHBOARDS_HREF, dashboardHref, navigate } from '../../lib/route';
import { parseRangeQuery, queryWindow, rangeQuery, resolveRange, type RangeState } from '../../lib/timeRange';
import { PanelView } from './PanelView';
import { PanelEditor, VariablesEditor } from './PanelEditor';

const ROW_PX = 36;
const GAP_PX = 12;
const REFRESH_MS = 30_000;

/** Downloads a dashboard as a JSON file (the export format import reads back). */
function exportJson(d: StoredDashboard, doc: DashboardDoc) {
  const blob = new Blob([JSON.stringify({ syslensDashboard: 1, dashboard: doc }, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${doc.title.replace(/[^\w.-]+/g, '_').slice(0, 80) || d.id}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** A variable's drop-down, filled from `label_values(...)` over the dashboard's range. */
function VariableSelect({ variable, value, onChange, start, end }: { variable: Variable; value: string[]; onChange: (v: string[]) => void; start: number; end: number }) {
  const [options, setOptions] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const parsed = parseLabelValues(variable.query);
    if (!parsed) {
      setError(`${variable.name}: ${variable.query}`);
      return;
    }
    const abort = new AbortController();
    labelValues(parsed.label, parsed.match, start, end, abort.signal).then((v) => {
      setOptions(v.slice(0, 1000));
      setError(null);
    }, (e: unknown) => {
      if ((e as Error).name !== 'AbortError') setError((e as Error).message);
    });
    return () => abort.abort();
  }, [variable.query, variable.name, start, end]);
  // Nothing chosen yet: the first value (all of them for a multi-select).
  useEffect(() => {
    if (value.length === 0 && options.length > 0) onChange(variable.multi ? options.slice(0, 100) : [options[0]]);
  }, [options, value.length, variable.multi, onChange]);
  return (
    <Space size={4}>
      <Typography.Text strong>{variable.label || variable.name}</Typography.Text>
      <Select
        data-testid={`variable-${variable.name}`}
        aria-label={variable.label || variable.name}
        mode={variable.multi ? 'multiple' : undefined}
        maxTagCount="responsive"
        style={{ minWidth: 180, maxWidth: 420 }}
        status={error ? 'error' : undefined}
        value={variable.multi ? value : value[0]}
        options={options.map((o) => ({ value: o, label: o }))}
        onChange={(v: string | string[]) => onChange(Array.isArray(v) ? v : [v])}
        showSearch
      />
    </Space>
  );
}

/** Moves or resizes a panel by whole grid cells as the pointer is dragged. */
function useGridDrag(container: React.RefObject<HTMLDivElement | null>, onChange: (id: string, g: GridPos) => void) {
  return useCallback((e: React.PointerEvent, panel: Panel, mode: 'move' | 'resize') => {
    const el = container.current;
    if (!el) return;
    e.preventDefault();
    const col = (el.clientWidth + GAP_PX) / 24;
    const row = ROW_PX + GAP_PX;
    const x0 = e.clientX;
    const y0 = e.clientY;
    const g0 = panel.gridPos;
    const move = (ev: PointerEvent) => {
      const dx = Math.round((ev.clientX - x0) / col);
      const dy = Math.round((ev.clientY - y0) / row);
      const g = mode === 'move'
        ? { ...g0, x: Math.min(24 - g0.w, Math.max(0, g0.x + dx)), y: Math.min(1000, Math.max(0, g0.y + dy)) }
        : { ...g0, w: Math.min(24 - g0.x, Math.max(1, g0.w + dx)), h: Math.min(50, Math.max(2, g0.h + dy)) };
      onChange(panel.id, g);
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }, [container, onChange]);
}

export default function DashboardPage({ id, query }: { id: string; query: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [stored, setStored] = useState<StoredDashboard | null>(null);
  const [doc, setDoc] = useState<DashboardDoc | null>(null);
  const [shared, setShared] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [editPanel, setEditPanel] = useState<Panel | null>(null);
  const [editVars, setEditVars] = useState(false);
  const [saving, setSaving] = useState(false);
  const [reload, setReload] = useState(0);
  const grid = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    getDashboard(id, abort.signal).then((d) => {
      setStored(d);
      setDoc(d.dashboard);
      setShared(d.shared);
    }, (e: unknown) => {
      if ((e as Error).name !== 'AbortError') setLoadError((e as Error).message);
    });
    return () => abort.abort();
  }, [id]);

  const rangeState = useMemo(() => parseRangeQuery(query), [query]);
  const range = useMemo(() => resolveRange(rangeState, Date.now()), [rangeState, reload]); // eslint-disable-line react-hooks/exhaustive-deps
  const win = useMemo(() => queryWindow(range), [range]);
  const values = useMemo(() => variablesFromQuery(query, doc?.variables ?? []), [query, doc?.variables]);
  useEffect(() => {
    if (!range.live) return;
    const timer = setInterval(() => setReload((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, [range.live]);

  const setRange = useCallback((r: RangeState) => navigate(dashboardHref(id, variablesToQuery(rangeQuery(r), values))), [id, values]);
  const setVariable = useCallback((name: string, v: string[]) => {
    // replaceState-like: a variable default is not a history step of its own.
    const next = variablesToQuery(query, { ...values, [name]: v });
    window.history.replaceState(null, '', dashboardHref(id, next));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }, [id, query, values]);

  const change = (d: DashboardDoc) => {
    setDoc(d);
    setDirty(true);
  };
  const movePanel = useCallback((pid: string, g: GridPos) => {
    setDoc((d) => (d ? { ...d, panels: d.panels.map((p) => (p.id === pid ? { ...p, gridPos: g } : p)) } : d));
    setDirty(true);
  }, []);
  const drag = useGridDrag(grid, movePanel);

  const save = async () => {
    if (!stored || !doc) return;
    setSaving(true);
    try {
      const saved = await saveDashboard(stored.id, doc, shared, stored.version);
      setStored(saved);
      setDoc(saved.dashboard);
      setDirty(false);
      message.success(t('dash.saved', { version: saved.version }));
    } catch (e) {
      message.error(e instanceof ApiError && e.status === 409 ? t('dash.conflict') : t('dash.saveFailed', { error: (e as Error).message }));
    } finally {
      setSaving(false);
    }
  };

  if (loadError) return <Alert type="error" showIcon title={t('dash.loadFailed', { error: loadError })} action={<Button href={DASHBOARDS_HREF}>{t('dash.back')}</Button>} />;
  if (!stored || !doc) return <Card><Skeleton active paragraph={{ rows: 8 }} /></Card>;
  const mine = stored.owner === getSession()?.username;
  const rows = doc.panels.reduce((m, p) => Math.max(m, p.gridPos.y + p.gridPos.h), 0);

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Card size="small">
        <Space orientation="vertical" size={8} style={{ width: '100%' }}>
          <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
            <Space wrap align="center">
              <Button type="link" href={DASHBOARDS_HREF} icon={<ArrowLeftOutlined />} style={{ padding: 0 }}>{t('dash.back')}</Button>
              {editing ? (
                <Input data-testid="dashboard-title-input" aria-label={t('dash.titleLabel')} value={doc.title} maxLength={200} onChange={(e) => change({ ...doc, title: e.target.value })} style={{ width: 300 }} />
              ) : (
                <Typography.Title level={3} style={{ margin: 0 }} data-testid="dashboard-title">{doc.title}</Typography.Title>
              )}
              {shared && <Tag color="blue">{t('dash.sharedTag')}</Tag>}
              {dirty && <Tag color="orange" data-testid="dashboard-dirty">{t('dash.unsaved')}</Tag>}
              <Typography.Text type="secondary">{t('dash.version', { version: stored.version, owner: stored.owner })}</Typography.Text>
            </Space>
            <Space wrap>
              {mine && (editing ? (
                <>
                  <Button data-testid="panel-add" icon={<PlusOutlined />} onClick={() => setEditPanel(newPanel(doc.panels))}>{t('dash.addPanel')}</Button>
                  <Button data-testid="variables-edit" icon={<SettingOutlined />} onClick={() => setEditVars(true)}>{t('dash.variables.title')}</Button>
                  <Space size={4}><Switch data-testid="dashboard-shared" checked={shared} onChange={(v) => { setShared(v); setDirty(true); }} aria-label={t('dash.share')} /><span>{t('dash.share')}</span></Space>
                  <Button onClick={() => setEditing(false)}>{t('dash.done')}</Button>
                </>
              ) : (
                <Button data-testid="dashboard-edit" icon={<EditOutlined />} onClick={() => setEditing(true)}>{t('dash.edit')}</Button>
              ))}
              {mine && <Button data-testid="dashboard-save" type="primary" icon={<SaveOutlined />} disabled={!dirty} loading={saving} onClick={() => void save()}>{t('dash.save')}</Button>}
              <Button data-testid="dashboard-export" icon={<DownloadOutlined />} onClick={() => exportJson(stored, doc)}>{t('dash.export')}</Button>
              {mine && (
                <Popconfirm title={t('dash.deleteConfirm')} okText={t('dash.delete')} cancelText={t('dash.cancel')} onConfirm={() => void deleteDashboard(stored.id).then(() => navigate(DASHBOARDS_HREF), (e: Error) => message.error(e.message))}>
                  <Button danger icon={<DeleteOutlined />} aria-label={t('dash.delete')} />
                </Popconfirm>
              )}
            </Space>
          </Space>
          <Space wrap size={16}>
            <TimeRangePicker value={rangeState} onChange={setRange} />
            {doc.variables.map((v) => (
              <VariableSelect key={v.name} variable={v} value={values[v.name] ?? []} onChange={(x) => setVariable(v.name, x)} start={range.start} end={range.end} />
            ))}
          </Space>
        </Space>
      </Card>
      {doc.panels.length === 0 && <Card><Typography.Text type="secondary">{t('dash.empty')}</Typography.Text></Card>}
      <div ref={grid} className="syslens-dash-grid" data-testid="dashboard-grid" style={{ gridTemplateRows: `repeat(${Math.max(rows, 1)}, ${ROW_PX}px)` }}>
        {doc.panels.map((p) => (
          <Card
            key={p.id}
            size="small"
            data-testid={`panel-${p.id}`}
            className="syslens-dash-panel"
            style={{ gridColumn: `${p.gridPos.x + 1} / span ${p.gridPos.w}`, gridRow: `${p.gridPos.y + 1} / span ${p.gridPos.h}` }}
            styles={{ body: { padding: 8, height: 'calc(100% - 38px)', overflow: 'hidden' } }}
            title={<span>{editing && <DragOutlined aria-label={t('dash.move')} className="syslens-drag" onPointerDown={(e) => drag(e, p, 'move')} />} {p.title || '\u00a0'}</span>}
            extra={editing && (
              <Space size={4}>
                <Tooltip title={t('dash.editPanel')}><Button size="small" type="text" aria-label={t('dash.editPanel')} data-testid={`panel-edit-${p.id}`} icon={<EditOutlined />} onClick={() => setEditPanel(p)} /></Tooltip>
                <Tooltip title={t('dash.removePanel')}><Button size="small" type="text" danger aria-label={t('dash.removePanel')} icon={<DeleteOutlined />} onClick={() => change({ ...doc, panels: doc.panels.filter((x) => x.id !== p.id) })} /></Tooltip>
              </Space>
            )}
          >
            <PanelView panel={p} vars={values} win={win} reload={reload} height={p.gridPos.h * (ROW_PX + GAP_PX) - GAP_PX - 54} />
            {editing && <span className="syslens-resize" aria-label={t('dash.resize')} onPointerDown={(e) => drag(e, p, 'resize')} />}
          </Card>
        ))}
      </div>
      <PanelEditor
        panel={editPanel}
        variables={doc.variables}
        onCancel={() => setEditPanel(null)}
        onSave={(p) => {
          change({ ...doc, panels: doc.panels.some((x) => x.id === p.id) ? doc.panels.map((x) => (x.id === p.id ? p : x)) : [...doc.panels, p] });
          setEditPanel(null);
        }}
      />
      <VariablesEditor open={editVars} variables={doc.variables} onCancel={() => setEditVars(false)} onSave={(v) => { change({ ...doc, variables: v }); setEditVars(false); }} />
    </Space>
  );
}
