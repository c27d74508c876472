import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Alert, AutoComplete, Button, Col, Drawer, Form, Input, Row, Segmented, Select, Slider, Space, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { deleteGroup, fetchRuleGroups, saveGroup } from '../../api/alerts';
import {
  AGGREGATIONS, COMPARE_OPS, draftExpr, draftToModel, MATCH_OPS, RANGE_FUNCTIONS, removeRule, RULE_KINDS, upsertRule, validateDraft,
  type CompareOp, type GroupModel, type MatchOp, type RuleDraft, type RuleKind, type Selector,
} from '../../lib/alertRules';
import { errorText } from './common';

/** What the builder edits: a new rule, or an existing one (its group and name before the edit). */
export interface BuilderTarget { draft: RuleDraft; original: { group: string; name: string } | null }

type Setter = (patch: (d: RuleDraft) => RuleDraft) => void;

function SelectorEditor({ value, onChange, prefix, err }: { value: Selector; onChange: (s: Selector) => void; prefix: string; err: (f: string) => string | undefined }) {
  const { t } = useTranslation();
  const setMatcher = (i: number, patch: Partial<Selector['matchers'][number]>) =>
    onChange({ ...value, matchers: value.matchers.map((m, j) => (j === i ? { ...m, ...patch } : m)) });
  return (
    <>
      <Form.Item label={t('alerts.builder.metric')} required validateStatus={err(`${prefix}.metric`) ? 'error' : undefined} help={err(`${prefix}.metric`)}>
        <Input value={value.metric} placeholder="node_filesystem_avail_bytes" onChange={(e) => onChange({ ...value, metric: e.target.value })} data-testid={`${prefix}-metric`} />
      </Form.Item>
      <Form.Item label={t('alerts.builder.matchers')}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          {value.matchers.map((m, i) => (
            <div key={i}>
              <Space.Compact style={{ width: '100%' }}>
                <Input style={{ width: '35%' }} placeholder={t('alerts.common.labelName')} value={m.name} status={err(`${prefix}.matchers.${i}`) ? 'error' : undefined}
                  onChange={(e) => setMatcher(i, { name: e.target.value })} data-testid={`${prefix}-matcher-name-${i}`} />
                <Select<MatchOp> style={{ width: 72 }} value={m.op} onChange={(op) => setMatcher(i, { op })} options={MATCH_OPS.map((o) => ({ value: o, label: o }))} />
                <Input placeholder={t('alerts.common.labelValue')} value={m.value} onChange={(e) => setMatcher(i, { value: e.target.value })} data-testid={`${prefix}-matcher-value-${i}`} />
                <Button icon={<DeleteOutlined />} aria-label={t('alerts.common.remove')} onClick={() => onChange({ ...value, matchers: value.matchers.filter((_, j) => j !== i) })} />
              </Space.Compact>
              {err(`${prefix}.matchers.${i}`) && <Typography.Text type="danger">{err(`${prefix}.matchers.${i}`)}</Typography.Text>}
            </div>
          ))}
          <Button size="small" icon={<PlusOutlined />} onClick={() => onChange({ ...value, matchers: [...value.matchers, { name: '', op: '=', value: '' }] })} data-testid={`${prefix}-add-matcher`}>
            {t('alerts.builder.addMatcher')}
          </Button>
        </Space>
      </Form.Item>
    </>
  );
}

function OpThreshold({ op, threshold, onOp, onThreshold, errText, testId }: { op: CompareOp; threshold: string; onOp: (o: CompareOp) => void; onThreshold: (v: string) => void; errText?: string; testId: string }) {
  const { t } = useTranslation();
  return (
    <Form.Item label={t('alerts.builder.condition')} required validateStatus={errText ? 'error' : undefined} help={errText}>
      <Space.Compact>
        <Select<CompareOp> style={{ width: 80 }} value={op} onChange={onOp} options={COMPARE_OPS.map((o) => ({ value: o, label: o }))} data-testid={`${testId}-op`} />
        <Input style={{ width: 160 }} value={threshold} onChange={(e) => onThreshold(e.target.value)} placeholder="90" data-testid={`${testId}-threshold`} />
      </Space.Compact>
    </Form.Item>
  );
}

function Field({ label, field, err, children, required }: { label: string; field: string; err: (f: string) => string | undefined; children: ReactNode; required?: boolean }) {
  return <Form.Item label={label} required={required} validateStatus={err(field) ? 'error' : undefined} help={err(field)}>{children}</Form.Item>;
}

/**
 * The rule builder for the four kinds. The PromQL the server will evaluate is generated as the
 * form is filled; saving puts the rule into its group (PUT), or creates the group (POST).
 */
export function RuleBuilder({ target, groups, exprOf, alertRuleNames, onClose, onSaved }: {
  target: BuilderTarget | null; groups: GroupModel[]; exprOf: (name: string) => string | undefined;
  alertRuleNames: { name: string; kind: string }[]; onClose: () => void; onSaved: () => void;
}) {
  const { t } = useTranslation();
  const [d, setD] = useState<RuleDraft | null>(target?.draft ?? null);
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  useEffect(() => {
    setD(target?.draft ?? null);
    setTried(false);
    setServerError(null);
  }, [target]);

  const editable = groups.filter((g) => !g.builtin).map((g) => g.name);
  const problems = useMemo(() => (d ? validateDraft(d, editable) : []), [d, editable]);
  const expr = useMemo(() => (d ? draftExpr(d, exprOf) : ''), [d, exprOf]);
  if (!d || !target) return null;
  const set: Setter = (patch) => setD((cur) => (cur ? patch(cur) : cur));
  const err = (field: string) => {
    if (!tried) return undefined;
    const p = problems.find((x) => x.field === field);
    return p ? t(`alerts.validation.${p.code}`) : undefined;
  };
  const isNewGroup = !editable.includes(d.group.trim());

  const save = async () => {
    setTried(true);
    setServerError(null);
    if (problems.length > 0) return;
    setSaving(true);
    try {
      const model = draftToModel(d);
      const fresh = await fetchRuleGroups();
      const group = d.group.trim();
      const existing = fresh.find((g) => g.name === group && !g.builtin);
      const sameGroup = target.original?.group === group;
      const next: GroupModel = existing
        ? upsertRule(existing, model, sameGroup ? target.original!.name : null)
        : { name: group, interval: d.groupInterval.trim(), rules: [model] };
      await saveGroup(next, existing != null);
      if (target.original && !sameGroup) {
        // Moved to another group: take it out of the old one (which goes when it is left empty).
        const old = fresh.find((g) => g.name === target.original!.group);
        if (old) {
          const rest = removeRule(old, target.original.name);
          if (rest) await saveGroup(rest, true);
          else await deleteGroup(old.name);
        }
      }
      onSaved();
    } catch (e) {
      setServerError(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };

  const kindForm: Record<RuleKind, ReactNode> = {
    threshold: (
      <>
        <Form.Item label={t('alerts.builder.mode')}>
          <Segmented value={d.threshold.mode} onChange={(mode) => set((x) => ({ ...x, threshold: { ...x.threshold, mode: mode as 'builder' | 'raw' } }))}
            options={[{ value: 'builder', label: t('alerts.builder.modeBuilder') }, { value: 'raw', label: t('alerts.builder.modeRaw') }]} />
        </Form.Item>
        {d.threshold.mode === 'raw' ? (
          <Field label={t('alerts.builder.expr')} field="threshold.raw" err={err} required>
            <Input.TextArea rows={3} value={d.threshold.raw} placeholder='up{job="node"} == 0' onChange={(e) => set((x) => ({ ...x, threshold: { ...x.threshold, raw: e.target.value } }))} style={{ fontFamily: 'monospace' }} />
          </Field>
        ) : (
          <>
            <SelectorEditor prefix="threshold.selector" err={err} value={d.threshold.selector} onChange={(selector) => set((x) => ({ ...x, threshold: { ...x.threshold, selector } }))} />
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item label={t('alerts.builder.function')}>
                  <Select value={d.threshold.fn} onChange={(fn) => set((x) => ({ ...x, threshold: { ...x.threshold, fn } }))}
                    options={RANGE_FUNCTIONS.map((f) => ({ value: f, label: f === 'none' ? t('alerts.builder.none') : f }))} />
                </Form.Item>
              </Col>
              <Col span={12}>
                {d.threshold.fn !== 'none' && (
                  <Field label={t('alerts.builder.window')} field="threshold.window" err={err}>
                    <Input value={d.threshold.window} onChange={(e) => set((x) => ({ ...x, threshold: { ...x.threshold, window: e.target.value } }))} />
                  </Field>
                )}
              </Col>
            </Row>
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item label={t('alerts.builder.aggregation')}>
                  <Select value={d.threshold.agg} onChange={(agg) => set((x) => ({ ...x, threshold: { ...x.threshold, agg } }))}
                    options={AGGREGATIONS.map((a) => ({ value: a, label: a === 'none' ? t('alerts.builder.none') : a }))} />
                </Form.Item>
              </Col>
              <Col span={12}>
                {d.threshold.agg !== 'none' && (
                  <Form.Item label={t('alerts.builder.by')}>
                    <Select mode="tags" value={d.threshold.by} onChange={(by) => set((x) => ({ ...x, threshold: { ...x.threshold, by } }))} placeholder="node" />
                  </Form.Item>
                )}
              </Col>
            </Row>
            <OpThreshold testId="threshold" op={d.threshold.op} threshold={d.threshold.threshold} errText={err('threshold.threshold')}
              onOp={(op) => set((x) => ({ ...x, threshold: { ...x.threshold, op } }))} onThreshold={(v) => set((x) => ({ ...x, threshold: { ...x.threshold, threshold: v } }))} />
          </>
        )}
      </>
    ),
    trend: (
      <>
        <SelectorEditor prefix="trend.selector" err={err} value={d.trend.selector} onChange={(selector) => set((x) => ({ ...x, trend: { ...x.trend, selector } }))} />
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item label={t('alerts.builder.function')}>
              <Select value={d.trend.fn} onChange={(fn) => set((x) => ({ ...x, trend: { ...x.trend, fn } }))}
                options={[{ value: 'predict_linear', label: t('alerts.builder.predictLinear') }, { value: 'deriv', label: t('alerts.builder.deriv') }]} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Field label={t('alerts.builder.window')} field="trend.window" err={err}>
              <Input value={d.trend.window} onChange={(e) => set((x) => ({ ...x, trend: { ...x.trend, window: e.target.value } }))} />
            </Field>
          </Col>
          <Col span={8}>
            {d.trend.fn === 'predict_linear' && (
              <Field label={t('alerts.builder.horizon')} field="trend.horizon" err={err}>
                <Input value={d.trend.horizon} onChange={(e) => set((x) => ({ ...x, trend: { ...x.trend, horizon: e.target.value } }))} />
              </Field>
            )}
          </Col>
        </Row>
        <OpThreshold testId="trend" op={d.trend.op} threshold={d.trend.threshold} errText={err('trend.threshold')}
          onOp={(op) => set((x) => ({ ...x, trend: { ...x.trend, op } }))} onThreshold={(v) => set((x) => ({ ...x, trend: { ...x.trend, threshold: v } }))} />
        <Typography.Paragraph type="secondary">{t(d.trend.fn === 'deriv' ? 'alerts.builder.derivHelp' : 'alerts.builder.predictHelp')}</Typography.Paragraph>
      </>
    ),
    anomaly: (
      <>
        <Form.Item label={t('alerts.builder.mode')}>
          <Segmented value={d.anomaly.mode} onChange={(mode) => set((x) => ({ ...x, anomaly: { ...x.anomaly, mode: mode as 'builder' | 'raw' } }))}
            options={[{ value: 'builder', label: t('alerts.builder.modeBuilder') }, { value: 'raw', label: t('alerts.builder.modeRaw') }]} />
        </Form.Item>
        {d.anomaly.mode === 'raw' ? (
          <Field label={t('alerts.builder.watched')} field="anomaly.raw" err={err} required>
            <Input.TextArea rows={2} value={d.anomaly.raw} onChange={(e) => set((x) => ({ ...x, anomaly: { ...x.anomaly, raw: e.target.value } }))} style={{ fontFamily: 'monospace' }} />
          </Field>
        ) : <SelectorEditor prefix="anomaly.selector" err={err} value={d.anomaly.selector} onChange={(selector) => set((x) => ({ ...x, anomaly: { ...x.anomaly, selector } }))} />}
        <Field label={t('alerts.builder.sensitivity', { k: d.anomaly.sensitivity })} field="anomaly.sensitivity" err={err}>
          <Slider min={0.5} max={10} step={0.5} value={d.anomaly.sensitivity} onChange={(k) => set((x) => ({ ...x, anomaly: { ...x.anomaly, sensitivity: k } }))}
            marks={{ 1: t('alerts.builder.sensitive'), 3: '3', 6: '6', 10: t('alerts.builder.tolerant') }} />
        </Field>
        <Row gutter={12}>
          {(['training', 'step', 'retrain'] as const).map((f) => (
            <Col span={8} key={f}>
              <Field label={t(`alerts.builder.${f}`)} field={`anomaly.${f}`} err={err}>
                <Input value={d.anomaly[f]} onChange={(e) => set((x) => ({ ...x, anomaly: { ...x.anomaly, [f]: e.target.value } }))} data-testid={`anomaly-${f}`} />
              </Field>
            </Col>
          ))}
          <Col span={8}>
            <Field label={t('alerts.builder.minSamples')} field="anomaly.minSamples" err={err}>
              <Input value={d.anomaly.minSamples} onChange={(e) => set((x) => ({ ...x, anomaly: { ...x.anomaly, minSamples: e.target.value } }))} data-testid="anomaly-minSamples" />
            </Field>
          </Col>
          <Col span={8}>
            <Field label={t('alerts.builder.minDeviation')} field="anomaly.minDeviation" err={err}>
              <Input value={d.anomaly.minDeviation} onChange={(e) => set((x) => ({ ...x, anomaly: { ...x.anomaly, minDeviation: e.target.value } }))} />
            </Field>
          </Col>
        </Row>
        <Typography.Paragraph type="secondary">{t('alerts.builder.anomalyHelp', { k: d.anomaly.sensitivity })}</Typography.Paragraph>
      </>
    ),
    composite: (
      <>
        <Form.Item label={t('alerts.builder.compositeOp')}>
          <Segmented value={d.composite.op} onChange={(op) => set((x) => ({ ...x, composite: { ...x.composite, op: op as 'and' | 'or' | 'unless' } }))}
            options={[{ value: 'and', label: t('alerts.builder.and') }, { value: 'or', label: t('alerts.builder.or') }, { value: 'unless', label: t('alerts.builder.unless') }]} />
        </Form.Item>
        <Field label={t('alerts.builder.rules')} field="composite.rules" err={err} required>
          <Select mode="multiple" value={d.composite.rules} onChange={(rules) => set((x) => ({ ...x, composite: { ...x.composite, rules } }))}
            options={alertRuleNames.filter((r) => r.name !== d.name).map((r) => ({ value: r.name, label: `${r.name} (${t(`alerts.kinds.${r.kind}`, { defaultValue: r.kind })})`, disabled: r.kind === 'anomaly' }))} />
        </Field>
        <Form.Item label={t('alerts.builder.on')} help={t('alerts.builder.onHelp')}>
          <Select mode="tags" value={d.composite.on} onChange={(on) => set((x) => ({ ...x, composite: { ...x.composite, on } }))} placeholder="node" />
        </Form.Item>
      </>
    ),
  };

  return (
    <Drawer open onClose={onClose} size={760} destroyOnHidden title={target.original ? t('alerts.builder.editTitle', { name: target.original.name }) : t('alerts.builder.newTitle')}
      extra={<Space><Button onClick={onClose}>{t('alerts.common.cancel')}</Button><Button type="primary" loading={saving} onClick={() => void save()} data-testid="rule-save">{t('alerts.common.save')}</Button></Space>}>
      <Form layout="vertical" data-testid="rule-builder">
        <Row gutter={12}>
          <Col span={12}>
            <Field label={t('alerts.builder.name')} field="name" err={err} required>
              <Input value={d.name} onChange={(e) => set((x) => ({ ...x, name: e.target.value }))} placeholder="DiskWillFillIn4h" data-testid="rule-name" />
            </Field>
          </Col>
          <Col span={isNewGroup ? 7 : 12}>
            <Field label={t('alerts.builder.group')} field="group" err={err} required>
              <AutoComplete value={d.group} onChange={(group: string) => set((x) => ({ ...x, group }))} options={editable.map((g) => ({ value: g }))}
                placeholder="node" data-testid="rule-group" />
            </Field>
          </Col>
          {isNewGroup && (
            <Col span={5}>
              <Field label={t('alerts.builder.interval')} field="groupInterval" err={err}>
                <Input value={d.groupInterval} onChange={(e) => set((x) => ({ ...x, groupInterval: e.target.value }))} data-testid="rule-interval" />
              </Field>
            </Col>
          )}
        </Row>
        <Form.Item label={t('alerts.builder.kind')}>
          <Segmented block value={d.kind} onChange={(kind) => set((x) => ({ ...x, kind: kind as RuleKind }))} data-testid="rule-kind"
            options={RULE_KINDS.map((k) => ({ value: k, label: <span data-testid={`rule-kind-${k}`}>{t(`alerts.kinds.${k}`)}</span> }))} />
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>{t(`alerts.kindHelp.${d.kind}`)}</Typography.Paragraph>
        {kindForm[d.kind]}
        <div className="syslens-generated" data-testid="generated-expr-box">
          <Typography.Text type="secondary">{t('alerts.builder.generated')}</Typography.Text>
          <pre data-testid="generated-expr">{expr || ' '}</pre>
        </div>
        <Row gutter={12}>
          <Col span={8}>
            <Field label={t('alerts.builder.level')} field="level" err={err}>
              <AutoComplete value={d.level} onChange={(level: string) => set((x) => ({ ...x, level }))} data-testid="rule-level"
                options={['info', 'warning', 'critical'].map((l) => ({ value: l, label: t(`alerts.levels.${l}`) }))} />
            </Field>
          </Col>
          <Col span={8}>
            <Field label={t('alerts.builder.for')} field="forDuration" err={err}>
              <Input value={d.forDuration} onChange={(e) => set((x) => ({ ...x, forDuration: e.target.value }))} data-testid="rule-for" />
            </Field>
          </Col>
          <Col span={8}>
            <Field label={t('alerts.builder.keepFiringFor')} field="keepFiringFor" err={err}>
              <Input value={d.keepFiringFor} placeholder="0s" onChange={(e) => set((x) => ({ ...x, keepFiringFor: e.target.value }))} />
            </Field>
          </Col>
        </Row>
        <Form.Item label={t('alerts.builder.labels')}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {d.labels.map((l, i) => (
              <div key={i}>
                <Space.Compact style={{ width: '100%' }}>
                  <Input style={{ width: '40%' }} placeholder={t('alerts.common.labelName')} value={l.name} status={err(`labels.${i}`) ? 'error' : undefined}
                    onChange={(e) => set((x) => ({ ...x, labels: x.labels.map((y, j) => (j === i ? { ...y, name: e.target.value } : y)) }))} />
                  <Input placeholder={t('alerts.common.labelValue')} value={l.value} onChange={(e) => set((x) => ({ ...x, labels: x.labels.map((y, j) => (j === i ? { ...y, value: e.target.value } : y)) }))} />
                  <Button icon={<DeleteOutlined />} aria-label={t('alerts.common.remove')} onClick={() => set((x) => ({ ...x, labels: x.labels.filter((_, j) => j !== i) }))} />
                </Space.Compact>
                {err(`labels.${i}`) && <Typography.Text type="danger">{err(`labels.${i}`)}</Typography.Text>}
              </div>
            ))}
            <Button size="small" icon={<PlusOutlined />} onClick={() => set((x) => ({ ...x, labels: [...x.labels, { name: '', value: '' }] }))}>{t('alerts.builder.addLabel')}</Button>
          </Space>
        </Form.Item>
        <Form.Item label={t('alerts.builder.summary')} help={t('alerts.builder.templateHelp', { example: '{{ $labels.node }}, {{ $value }}' })}>
          <Input value={d.summary} onChange={(e) => set((x) => ({ ...x, summary: e.target.value }))} placeholder="{{ $labels.node }}: {{ $value }}" data-testid="rule-summary" />
        </Form.Item>
        <Form.Item label={t('alerts.builder.description')}>
          <Input.TextArea rows={2} value={d.description} onChange={(e) => set((x) => ({ ...x, description: e.target.value }))} />
        </Form.Item>
        {tried && problems.length > 0 && <Alert type="warning" showIcon title={t('alerts.builder.fixProblems', { count: problems.length })} />}
        {serverError && <Alert type="error" showIcon title={serverError} data-testid="rule-error" style={{ marginTop: 8 }} />}
      </Form>
    </Drawer>
  );
}
