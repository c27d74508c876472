import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Card, Empty, Input, Select, Skeleton, Space, Typography } from 'antd';
import { DownloadOutlined, SaveOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { LiveThrottle, useFleetNodes } from '../fleet/useFleet';
import { initialNodesState, type NodesState } from '../lib/liveReducer';
import { useLiveNodes } from '../live/LiveProvider';
import {
  applyView, DEFAULT_VIEW, distinct, labelPairs, loadViews, overlayLive, saveViews, toCsv, visibleRange,
  type FleetNode, type ListView, type LiveNode, type SortKey,
} from '../lib/fleet';
import { formatBytesPerSec, formatPercent } from '../lib/format';
import { ScrollHold } from '../lib/scrollHold';
import { navigate, nodeHref } from '../lib/route';

const ROW_HEIGHT = 44;
/** Rows rendered beyond each edge of the viewport. */
const OVERSCAN = 8;
const VIEWPORT = 600;
const GRID = 'minmax(180px, 2.2fr) 96px 80px minmax(110px, 1.2fr) minmax(90px, 1fr) 76px 76px 76px 100px';
const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'hostname', label: 'host' }, { key: 'status', label: 'status' }, { key: 'kind', label: 'kind' },
  { key: 'os', label: 'os' }, { key: 'group', label: 'group' }, { key: 'cpu', label: 'cpu', numeric: true },
  { key: 'memory', label: 'memory', numeric: true }, { key: 'disk', label: 'disk', numeric: true },
  { key: 'net', label: 'net', numeric: true },
];

function pctCell(v: number | null) {
  if (v == null) return <span className="syslens-muted">–</span>;
  // Classes, not inline colours: AA contrast in both themes (styles.css).
  const level = v >= 90 ? 'syslens-pct-hot' : v >= 75 ? 'syslens-pct-warm' : undefined;
  return <span className={level} style={{ fontVariantNumeric: 'tabular-nums' }}>{formatPercent(v)}</span>;
}

const STATUS_CLASS = { online: 'syslens-st syslens-st-online', stale: 'syslens-st syslens-st-stale', offline: 'syslens-st' } as const;

/**
 * One row: plain elements only (no component library), so mounting rows while scrolling stays
 * cheap. `l` (the live feed's node, replaced when it changes) is laid over the polled row here,
 * so a row re-renders only when its own node or live figures change.
 */
const Row = memo(function Row({ node, l, since, top, t }: { node: FleetNode; l: LiveNode | undefined; since: number; top: number; t: TFunction }) {
  const n = overlayLive(node, l, since);
  return (
    <div
      className="syslens-vrow"
      role="row"
      data-testid={`node-row-${n.id}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT, gridTemplateColumns: GRID }}
      onClick={() => navigate(nodeHref(n.id))}
    >
      <div className="syslens-ellipsis" role="cell">
        <a href={nodeHref(n.id)} onClick={(e) => e.stopPropagation()} style={{ fontWeight: 600 }}>{n.hostname}</a>
        {n.hostname !== n.id && <span className="syslens-muted" style={{ fontSize: 12, marginLeft: 6 }}>{n.id}</span>}
      </div>
      <div role="cell"><span className={STATUS_CLASS[n.status] ?? 'syslens-st'} data-testid="node-status">{t(`fleet.status.${n.status}`)}</span></div>
      <div role="cell" className="syslens-ellipsis">{t(`fleet.kind.${n.kind}`, { defaultValue: n.kind })}</div>
      <div role="cell" className="syslens-ellipsis" title={n.os}>{n.os || '–'}</div>
      <div role="cell" className="syslens-ellipsis">{n.group ?? '–'}</div>
      <div role="cell">{pctCell(n.cpu)}</div>
      <div role="cell">{pctCell(n.memory)}</div>
      <div role="cell">{pctCell(n.disk)}</div>
      <div role="cell" style={{ fontVariantNumeric: 'tabular-nums' }}>{n.net == null ? '–' : formatBytesPerSec(n.net)}</div>
    </div>
  );
});

/**
 * Renders only the rows in view (plus a few): 10,000 nodes keep about 30 rows in the DOM. The live
 * feed is subscribed to those rows' nodes only, and its state kept here (at most one update a
 * second, LiveThrottle), so a live update re-renders the rows whose figures changed, not the page.
 * While the list scrolls, live updates wait for it to stop (`hold`, as the page's polls do).
 */
function VirtualRows({ rows, since, liveOut, hold }: { rows: FleetNode[]; since: number; liveOut: { current: Record<string, LiveNode> }; hold: ScrollHold }) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const [liveState, setLive] = useState<NodesState>(initialNodesState);
  const onLive = useCallback((s: NodesState) => hold.run(() => setLive(s)), [hold]);
  const live = liveState.nodes as Record<string, LiveNode>;
  useEffect(() => {
    liveOut.current = live;
  }, [live, liveOut]);
  // Only the first visible row index is state: scrolling within a row re-renders nothing.
  const [firstRow, setFirstRow] = useState(0);
  const [height, setHeight] = useState(VIEWPORT);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || VIEWPORT));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const [first, last] = visibleRange(firstRow * ROW_HEIGHT, height, ROW_HEIGHT, rows.length, OVERSCAN);
  // Rows are keyed by their slot (index modulo the most rows in view), not by node: a row that
  // scrolls out is reused for the one scrolling in (its text and position change), rather than
  // removed from the DOM while another is built, which was most of a scroll frame's work.
  const slots = Math.ceil(height / ROW_HEIGHT) + 2 * OVERSCAN + 2;
  const shown = [];
  const ids: string[] = [];
  for (let i = first; i <= last; i++) {
    const n = rows[i];
    ids.push(n.id);
    shown.push(<Row key={i % slots} node={n} l={live[n.id]} since={since} top={i * ROW_HEIGHT} t={t} />);
  }
  useLiveNodes(ids);
  return (
    <div
      ref={box}
      className="syslens-vlist"
      data-testid="node-list-scroll"
      role="rowgroup"
      style={{ height: Math.min(VIEWPORT, Math.max(ROW_HEIGHT * 3, rows.length * ROW_HEIGHT)) }}
      onScroll={(e) => {
        hold.scrolled();
        setFirstRow(Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT));
      }}
    >
      <LiveThrottle onChange={onLive} />
      <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>{shown}</div>
    </div>
  );
}

export default function NodeListPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  // Polls and live updates that land while the list scrolls wait until it stops (lib/scrollHold.ts).
  const [hold] = useState(() => new ScrollHold());
  useEffect(() => () => hold.dispose(), [hold]);
  const { nodes, data, error, since } = useFleetNodes(hold);
  /** The live figures of the rows on screen (VirtualRows keeps them), for the CSV export. */
  const liveNodes = useRef<Record<string, LiveNode>>({});
  const [view, setView] = useState<ListView>(DEFAULT_VIEW);
  const [views, setViews] = useState<Record<string, ListView>>(() => loadViews(localStorage));
  const [viewName, setViewName] = useState('');
  const rows = useMemo(() => (nodes ? applyView(nodes, view) : []), [nodes, view]);
  // Filter choices from the polled overview (every 5 s), not from each live merge (every second).
  const base = data?.nodes ?? nodes;
  const options = useMemo(() => ({
    kind: distinct(base ?? [], (n) => n.kind),
    os: distinct(base ?? [], (n) => n.os),
    group: distinct(base ?? [], (n) => n.group),
    labels: labelPairs(base ?? []),
  }), [base]);
  const set = (patch: Partial<ListView>) => setView((v) => ({ ...v, ...patch }));
  const sortBy = (key: SortKey, numeric?: boolean) =>
    setView((v) => (v.sort === key ? { ...v, desc: !v.desc } : { ...v, sort: key, desc: !!numeric }));

  const exportCsv = () => {
    const url = URL.createObjectURL(new Blob([toCsv(rows.map((n) => overlayLive(n, liveNodes.current[n.id], since)))], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `syslens-nodes-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const save = () => {
    const name = viewName.trim();
    if (!name) return;
    const next = { ...views, [name]: view };
    saveViews(localStorage, next);
    setViews(loadViews(localStorage));
    void message.success(t('fleet.list.viewSaved', { name }));
  };
  const remove = (name: string) => {
    const next = { ...views };
    delete next[name];
    saveViews(localStorage, next);
    setViews(next);
  };

  const multi = (key: 'status' | 'kind' | 'os' | 'group', values: string[], label: (v: string) => string) => (
    <Select
      mode="multiple"
      allowClear
      maxTagCount="responsive"
      data-testid={`filter-${key}`}
      placeholder={t(`fleet.list.filter.${key}`)}
      aria-label={t(`fleet.list.filter.${key}`)}
      value={view[key] as string[]}
      onChange={(v: string[]) => set({ [key]: v } as Partial<ListView>)}
      options={values.map((v) => ({ value: v, label: label(v) }))}
      style={{ minWidth: 150 }}
    />
  );

  return (
    <Card
      data-testid="node-list"
      title={
        <Space size={12} align="baseline">
          <span>{t('nodes.title')}</span>
          {nodes && (
            <Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal' }} data-testid="nodes-summary">
              {t('fleet.list.count', { shown: rows.length, total: nodes.length })}
            </Typography.Text>
          )}
        </Space>
      }
      extra={
        <Space wrap>
          <Select
            data-testid="saved-views"
            placeholder={t('fleet.list.views')}
            aria-label={t('fleet.list.views')}
            style={{ minWidth: 160 }}
            value={null}
            onChange={(name: string) => views[name] && setView(views[name])}
            options={Object.keys(views).map((n) => ({ value: n, label: n }))}
            notFoundContent={t('fleet.list.noViews')}
            optionRender={(o) => (
              <Space style={{ width: '100%', justifyContent: 'space-between' }}>
                <span>{o.label}</span>
                <a onClick={(e) => { e.stopPropagation(); remove(String(o.value)); }}>{t('fleet.list.deleteView')}</a>
              </Space>
            )}
          />
          <Space.Compact>
            <Input data-testid="view-name" aria-label={t('fleet.list.viewName')} placeholder={t('fleet.list.viewName')} value={viewName} maxLength={80}
              onChange={(e) => setViewName(e.target.value)} style={{ width: 140 }} />
            <Button data-testid="view-save" icon={<SaveOutlined />} onClick={save} disabled={!viewName.trim()}>{t('fleet.list.saveView')}</Button>
          </Space.Compact>
          <Button data-testid="export-csv" icon={<DownloadOutlined />} onClick={exportCsv} disabled={rows.length === 0}>
            {t('fleet.list.exportCsv')}
          </Button>
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <Input
          data-testid="node-search"
          allowClear
          prefix={<SearchOutlined />}
          placeholder={t('nodes.search')}
          aria-label={t('nodes.search')}
          value={view.search}
          onChange={(e) => set({ search: e.target.value })}
          style={{ width: 260 }}
        />
        {multi('status', ['online', 'stale', 'offline'], (v) => t(`fleet.status.${v}`))}
        {multi('kind', options.kind, (v) => t(`fleet.kind.${v}`, { defaultValue: v }))}
        {multi('os', options.os, (v) => v)}
        {multi('group', options.group, (v) => v)}
        <Select
          mode="multiple"
          allowClear
          maxTagCount="responsive"
          data-testid="filter-labels"
          placeholder={t('fleet.list.filter.labels')}
          aria-label={t('fleet.list.filter.labels')}
          value={view.labels}
          onChange={(v: string[]) => set({ labels: v })}
          options={options.labels.map((v) => ({ value: v, label: v }))}
          style={{ minWidth: 180 }}
        />
        {JSON.stringify(view) !== JSON.stringify(DEFAULT_VIEW) && <Button type="link" onClick={() => setView(DEFAULT_VIEW)}>{t('fleet.list.reset')}</Button>}
      </Space>
      {error && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }}
          title={t('nodes.loadError', { error: error === 'network' ? t('errors.network') : error })} />
      )}
      {!nodes ? (
        <Skeleton active paragraph={{ rows: 10 }} />
      ) : (
        <div role="table" aria-rowcount={rows.length} data-testid="node-table" style={{ overflowX: 'auto' }}>
          <div style={{ minWidth: 980 }}>
            <div className="syslens-vhead" role="row" style={{ gridTemplateColumns: GRID }}>
              {COLUMNS.map((c) => (
                <div role="columnheader" key={c.key} aria-sort={view.sort === c.key ? (view.desc ? 'descending' : 'ascending') : 'none'}>
                  <button type="button" data-testid={`sort-${c.key}`} onClick={() => sortBy(c.key, c.numeric)}>
                    {t(`fleet.list.columns.${c.label}`)}{view.sort === c.key ? (view.desc ? ' ▼' : ' ▲') : ''}
                  </button>
                </div>
              ))}
            </div>
            {rows.length === 0 ? (
              <Empty style={{ margin: 24 }} description={nodes.length === 0 ? t('nodes.empty') : t('fleet.list.noMatch')} />
            ) : (
              <VirtualRows rows={rows} since={since} liveOut={liveNodes} hold={hold} />
            )}
          </div>
        </div>
      )}
    </Card>
  );
}

