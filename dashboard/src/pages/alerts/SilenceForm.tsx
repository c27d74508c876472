import { useEffect, useState } from 'react';
import { Alert, App, Button, DatePicker, Form, Input, Modal, Radio, Select, Space, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { createSilence } from '../../api/alerts';
import { useSession } from '../../api/session';
import { parseDuration } from '../../lib/alertRules';
import { silenceBody, type SilenceMatcher } from '../../lib/alertView';
import { errorText } from './common';

type MatchType = '=' | '!=' | '=~' | '!~';
const typeOf = (m: SilenceMatcher): MatchType => (m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=');

/** Creates a silence: matchers, a start and an end (or duration), a comment; the author is the signed-in user. */
export function SilenceForm({ open, initialMatchers, onClose, onCreated }: {
  open: boolean; initialMatchers: SilenceMatcher[]; onClose: () => void; onCreated: (id: string) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const session = useSession();
  const [matchers, setMatchers] = useState<SilenceMatcher[]>(initialMatchers);
  const [startsAt, setStartsAt] = useState(() => Date.now());
  const [endMode, setEndMode] = useState<'duration' | 'end'>('duration');
  const [duration, setDuration] = useState('2h');
  const [endsAt, setEndsAt] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!open) return;
    setMatchers(initialMatchers.length > 0 ? initialMatchers : [{ name: '', value: '', isRegex: false, isEqual: true }]);
    setStartsAt(Date.now());
    setEndMode('duration');
    setDuration('2h');
    setEndsAt(null);
    setComment('');
    setProblems([]);
    setServerError(null);
    // Reset only when the form opens: the prefilled matchers are read at that moment.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const update = (i: number, patch: Partial<SilenceMatcher>) => setMatchers((ms) => ms.map((m, j) => (j === i ? { ...m, ...patch } : m)));

  const submit = async () => {
    const r = silenceBody({ matchers, startsAt, duration: endMode === 'duration' ? duration : '', endsAt: endMode === 'end' ? endsAt ?? startsAt : null, comment }, parseDuration);
    setProblems(r.problems);
    setServerError(null);
    if (!r.body) return;
    setSaving(true);
    try {
      const id = await createSilence(r.body);
      message.success(t('alerts.silences.created'));
      onCreated(id);
    } catch (e) {
      setServerError(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open={open} title={t('alerts.silences.new')} onCancel={onClose} width={720} destroyOnHidden
      footer={[
        <Button key="c" onClick={onClose}>{t('alerts.common.cancel')}</Button>,
        <Button key="s" type="primary" loading={saving} onClick={() => void submit()} data-testid="silence-submit">{t('alerts.silences.create')}</Button>,
      ]}>
      <Form layout="vertical">
        <Form.Item label={t('alerts.silences.matchers')} help={t('alerts.silences.matchersHelp')}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {matchers.map((m, i) => (
              <Space.Compact key={i} style={{ width: '100%' }}>
                <Input style={{ width: '32%' }} placeholder={t('alerts.common.labelName')} value={m.name} onChange={(e) => update(i, { name: e.target.value })} data-testid={`silence-matcher-name-${i}`} />
                <Select<MatchType> style={{ width: 80 }} value={typeOf(m)} options={(['=', '!=', '=~', '!~'] as MatchType[]).map((v) => ({ value: v, label: v }))}
                  onChange={(v) => update(i, { isRegex: v.includes('~'), isEqual: v.startsWith('=') })} />
                <Input placeholder={t('alerts.common.labelValue')} value={m.value} onChange={(e) => update(i, { value: e.target.value })} data-testid={`silence-matcher-value-${i}`} />
                <Button icon={<DeleteOutlined />} aria-label={t('alerts.common.remove')} onClick={() => setMatchers((ms) => ms.filter((_, j) => j !== i))} />
              </Space.Compact>
            ))}
            <Button icon={<PlusOutlined />} onClick={() => setMatchers((ms) => [...ms, { name: '', value: '', isRegex: false, isEqual: true }])}>{t('alerts.silences.addMatcher')}</Button>
          </Space>
        </Form.Item>
        <Form.Item label={t('alerts.silences.startsAt')}>
          <DatePicker showTime value={dayjs(startsAt)} onChange={(v) => setStartsAt(v ? v.valueOf() : Date.now())} allowClear={false} />
        </Form.Item>
        <Form.Item label={t('alerts.silences.endsAt')}>
          <Space wrap>
            <Radio.Group value={endMode} onChange={(e) => setEndMode(e.target.value)} optionType="button"
              options={[{ value: 'duration', label: t('alerts.silences.forDuration') }, { value: 'end', label: t('alerts.silences.until') }]} />
            {endMode === 'duration'
              ? <Input style={{ width: 140 }} value={duration} onChange={(e) => setDuration(e.target.value)} placeholder="2h" data-testid="silence-duration" />
              : <DatePicker showTime value={endsAt ? dayjs(endsAt) : null} onChange={(v) => setEndsAt(v ? v.valueOf() : null)} />}
          </Space>
        </Form.Item>
        <Form.Item label={t('alerts.silences.comment')} required>
          <Input.TextArea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="silence-comment" />
        </Form.Item>
        <Typography.Text type="secondary">{t('alerts.silences.author', { user: session?.username ?? '' })}</Typography.Text>
        {problems.length > 0 && (
          <Alert type="warning" showIcon style={{ marginTop: 12 }} title={problems.map((p) => t(`alerts.validation.${p}`)).join(' · ')} />
        )}
        {serverError && <Alert type="error" showIcon style={{ marginTop: 12 }} title={serverError} data-testid="silence-error" />}
      </Form>
    </Modal>
  );
}
