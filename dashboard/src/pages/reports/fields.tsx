import { Checkbox, Form, Input, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { REPORT_KINDS, REPORT_LANGUAGES, SCOPE_KINDS, type ReportKind, type ReportLanguage, type ScopeKind } from '../../lib/reports';

/** The fields a report and a schedule share: kinds, scope, language. */
export function CommonFields({ kinds, setKinds, scopeKind, setScopeKind, scopeValue, setScopeValue, language, setLanguage }: {
  kinds: ReportKind[]; setKinds: (k: ReportKind[]) => void;
  scopeKind: ScopeKind; setScopeKind: (k: ScopeKind) => void;
  scopeValue: string; setScopeValue: (v: string) => void;
  language: ReportLanguage; setLanguage: (l: ReportLanguage) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item label={t('reports.fields.kinds')}>
        <Checkbox.Group data-testid="report-kinds" value={kinds} onChange={(v) => setKinds(v as ReportKind[])}
          options={REPORT_KINDS.map((k) => ({ value: k, label: t(`reports.kinds.${k}`) }))} />
      </Form.Item>
      <Form.Item label={t('reports.fields.scope')}>
        <Space.Compact style={{ width: '100%' }}>
          <Select<ScopeKind> style={{ width: 200 }} value={scopeKind} onChange={setScopeKind} data-testid="report-scope-kind"
            options={SCOPE_KINDS.map((k) => ({ value: k, label: t(`reports.scopes.${k}`) }))} />
          {scopeKind !== 'all' && (
            <Input data-testid="report-scope-value" value={scopeValue} onChange={(e) => setScopeValue(e.target.value)}
              placeholder={scopeKind === 'selector' ? '{env="prod"}' : t('reports.fields.scopeValue')} />
          )}
        </Space.Compact>
      </Form.Item>
      <Form.Item label={t('reports.fields.language')}>
        <Select<ReportLanguage> value={language} onChange={setLanguage} style={{ width: 200 }} data-testid="report-language"
          options={REPORT_LANGUAGES.map((l) => ({ value: l, label: t(`reports.languages.${l}`) }))} />
      </Form.Item>
    </>
  );
}

/** Problems of a form as a list under it. */
export function Problems({ problems }: { problems: { key: string; value?: string }[] }) {
  const { t } = useTranslation();
  if (problems.length === 0) return null;
  return (
    <ul data-testid="form-problems" style={{ color: '#cf1322', paddingLeft: 18 }}>
      {problems.map((p, i) => <li key={i}>{t(p.key, { value: p.value })}</li>)}
    </ul>
  );
}
