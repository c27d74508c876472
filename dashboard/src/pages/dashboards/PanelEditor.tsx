import { useEffect, useMemo, useState } from 'react';
import { AutoComplete, Button, Form, Input, InputNumber, Modal, Select, Space, Switch } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { apiGet } from '../../api/client';
import { LIMITS, PANEL_TYPES, UNITS, type Panel, type Variable } from '../../lib/dashboards';

const FUNCTIONS = ['rate', 'irate', 'increase', 'sum', 'avg', 'max', 'min', 'count', 'topk', 'bottomk', 'avg_over_time', 'max_over_time',
  'min_over_time', 'sum_over_time', 'quantile_over_time', 'histogram_quantile', 'label_replace', 'abs', 'clamp_min', 'clamp_max', 'predict_linear', 'deriv', 'delta', 'time', 'vector', 'scalar'];

/** Metric names for completion, loaded once per editor. */
function useMetricNames(open: boolean): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    if (!open || names.length) return;
    const abort = new AbortController();
    apiGet<string[]>('/api/v1/label/__name__/values', abort.signal).then((n) => setNames(n.slice(0, 5000)), () => {});
    return () => abort.abort();
  }, [open, names.length]);
  return names;
}

/** Completions for the word being typed at the end of a query: metric names, functions and the dashboard's variables. */
export function completions(text: string, metrics: string[], variables: Variable[]): string[] {
  const m = /([$A-Za-z_:][A-Za-z0-9_:]*)$/.exec(text);
  if (!m || m[1].length < 2) return [];
  const word = m[1];
  const pool = word.startsWith('$') ? variables.map((v) => `$${v.name}`) : [...FUNCTIONS, ...metrics];
  return pool.filter((c) => c.startsWith(word) && c !== word).slice(0, 20);
}

function QueryInput({ value, onChange, metrics, variables, testId }: { value?: string; onChange?: (v: string) => void; metrics: string[]; variables: Variable[]; testId: string }) {
  const text = value ?? '';
  const options = useMemo(() => completions(text, metrics, variables).map((c) => ({ value: text.replace(/[$A-Za-z_:][A-Za-z0-9_:]*$/, '') + c, label: c })), [text, metrics, variables]);
  return (
    <AutoComplete value={text} options={options} onChange={(v: string) => onChange?.(v)} style={{ width: '100%' }}>
      <Input.TextArea data-testid={testId} autoSize={{ minRows: 1, maxRows: 6 }} maxLength={LIMITS.query} style={{ fontFamily: 'monospace' }} />
    </AutoComplete>
  );
}

/** The panel editor: type, title, PromQL queries (with completion), unit, thresholds, legend, size. */
export function PanelEditor({ panel, variables, onSave, onCancel }: { panel: Panel | null; variables: Variable[]; onSave: (p: Panel) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const metrics = useMetricNames(panel !== null);
  useEffect(() => {
    if (panel) form.setFieldsValue({ ...panel, thresholds: panel.thresholds.join(', '), queries: panel.queries.length ? panel.queries : [''] });
  }, [panel, form]);
  if (!panel) return null;
  const submit = (v: { title: string; type: Panel['type']; unit: Panel['unit']; queries: string[]; thresholds: string; legend: boolean; w: number; h: number }) => {
    const thresholds = String(v.thresholds ?? '').split(/[,\s]+/).filter(Boolean).map(Number).filter(Number.isFinite).slice(0, 10);
    const w = Math.min(24, Math.max(1, v.w ?? panel.gridPos.w));
    onSave({
      ...panel, title: v.title ?? '', type: v.type, unit: v.unit, legend: v.legend, thresholds,
      queries: (v.queries ?? []).map((q) => q ?? '').slice(0, LIMITS.queries),
      gridPos: { ...panel.gridPos, w, x: Math.min(panel.gridPos.x, 24 - w), h: Math.min(50, Math.max(2, v.h ?? panel.gridPos.h)) },
    });
  };
  return (
    <Modal open title={t('dash.editor.title')} onCancel={onCancel} onOk={() => form.submit()} okText={t('dash.editor.apply')} cancelText={t('dash.cancel')} width={760} okButtonProps={{ 'data-testid': 'panel-apply' } as Record<string, string>} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ ...panel, w: panel.gridPos.w, h: panel.gridPos.h }}>
        <Space wrap size={12} style={{ width: '100%' }}>
          <Form.Item name="title" label={t('dash.editor.panelTitle')} style={{ minWidth: 280 }}>
            <Input data-testid="panel-title" maxLength={LIMITS.title} />
          </Form.Item>
          <Form.Item name="type" label={t('dash.editor.type')}>
            <Select data-testid="panel-type" style={{ width: 160 }} options={PANEL_TYPES.map((p) => ({ value: p, label: t(`dash.types.${p}`) }))} />
          </Form.Item>
          <Form.Item name="unit" label={t('dash.editor.unit')}>
            <Select style={{ width: 170 }} options={UNITS.map((u) => ({ value: u, label: t(`dash.units.${u}`) }))} />
          </Form.Item>
        </Space>
        <Form.List name="queries">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} align="start" style={{ width: '100%' }}>
                  <Form.Item name={f.name} label={i === 0 ? t('dash.editor.queries') : undefined} style={{ marginBottom: 8, width: '100%' }} tooltip={i === 0 ? t('dash.editor.queryHelp') : undefined}>
                    <QueryInput metrics={metrics} variables={variables} testId={`panel-query-${i}`} />
                  </Form.Item>
                  {fields.length > 1 && <MinusCircleOutlined aria-label={t('dash.editor.removeQuery')} onClick={() => remove(f.name)} style={{ marginTop: i === 0 ? 38 : 8 }} />}
                </Space>
              ))}
              {fields.length < LIMITS.queries && <Button type="dashed" icon={<PlusOutlined />} onClick={() => add('')} style={{ marginBottom: 12 }}>{t('dash.editor.addQuery')}</Button>}
            </>
          )}
        </Form.List>
        <Space wrap size={12}>
          <Form.Item name="thresholds" label={t('dash.editor.thresholds')} tooltip={t('dash.editor.thresholdsHelp')}>
            <Input style={{ width: 200 }} placeholder="80, 95" />
          </Form.Item>
          <Form.Item name="w" label={t('dash.editor.width')}><InputNumber min={1} max={24} /></Form.Item>
          <Form.Item name="h" label={t('dash.editor.height')}><InputNumber min={2} max={50} /></Form.Item>
          <Form.Item name="legend" label={t('dash.editor.legend')} valuePropName="checked"><Switch /></Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}

/** The variables editor: name, label, `label_values(...)` query, multi-select. */
export function VariablesEditor({ open, variables, onSave, onCancel }: { open: boolean; variables: Variable[]; onSave: (v: Variable[]) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  useEffect(() => {
    if (open) form.setFieldsValue({ variables });
  }, [open, variables, form]);
  return (
    <Modal open={open} title={t('dash.variables.title')} onCancel={onCancel} onOk={() => form.submit()} okText={t('dash.editor.apply')} cancelText={t('dash.cancel')} width={760} okButtonProps={{ 'data-testid': 'variables-apply' } as Record<string, string>}>
      <Form form={form} layout="vertical" onFinish={(v: { variables?: Variable[] }) => onSave((v.variables ?? []).map((x) => ({ ...x, multi: !!x.multi })))}>
        <Form.List name="variables">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} align="start" wrap>
                  <Form.Item name={[f.name, 'name']} label={t('dash.variables.name')} rules={[{ required: true, pattern: /^[A-Za-z_][A-Za-z0-9_]{0,31}$/, message: t('dash.variables.nameRule') }]}>
                    <Input data-testid={`variable-name-${i}`} style={{ width: 120 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'label']} label={t('dash.variables.label')}><Input style={{ width: 120 }} maxLength={64} /></Form.Item>
                  <Form.Item name={[f.name, 'query']} label={t('dash.variables.query')} rules={[{ required: true, pattern: /^\s*label_values\(/, message: t('dash.variables.queryRule') }]}>
                    <Input data-testid={`variable-query-${i}`} style={{ width: 300, fontFamily: 'monospace' }} placeholder="label_values(up, node)" maxLength={1024} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'multi']} label={t('dash.variables.multi')} valuePropName="checked"><Switch /></Form.Item>
                  <MinusCircleOutlined aria-label={t('dash.variables.remove')} onClick={() => remove(f.name)} style={{ marginTop: 38 }} />
                </Space>
              ))}
              {fields.length < LIMITS.variables && <Button data-testid="variable-add" type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: '', query: '', multi: false })}>{t('dash.variables.add')}</Button>}
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
