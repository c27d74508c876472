import { useEffect, useState } from 'react';
import { Alert, App, Button, Empty, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { deleteSchedule, fetchMyEmail, fetchSchedules, runSchedule, saveMyEmail, saveSchedule } from '../../api/reports';
import { browserZone, CADENCES, scheduleBody, scheduleForm, recipientsText, type Cadence, type Schedule, type ScheduleForm } from '../../lib/reports';
import { errorText, formatTime, usePoll } from '../alerts/common';
import { CommonFields, Problems } from './fields';

function blank(language: string): ScheduleForm {
  const lang = language === 'zh-CN' || language === 'ja-JP' ? language : 'en';
  return {
    name: '', cadence: 'weekly', day: 1, at: '07:00', timezone: browserZone(), kinds: ['utilization'], scopeKind: 'all',
    scopeValue: '', language: lang, recipients: '',
  };
}

/** Creates or edits a schedule. */
function ScheduleEditor({ editing, onClose, onSaved }: { editing: Schedule | 'new' | null; onClose: () => void; onSaved: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [f, setF] = useState<ScheduleForm>(() => blank(i18n.language));
  const [problems, setProblems] = useState<{ key: string; value?: string }[]>([]);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (editing == null) return;
    setF(editing === 'new' ? blank(i18n.language) : scheduleForm(editing));
    setProblems([]);
    setServerError(null);
    // Reset only when the editor opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [editing]);
  const set = (patch: Partial<ScheduleForm>) => setF((x) => ({ ...x, ...patch }));
  const submit = async () => {
    const r = scheduleBody(f);
    setProblems(r.problems);
    setServerError(null);
    if (!r.body) return;
    setSaving(true);
    try {
      await saveSchedule(r.body, editing !== 'new' && editing != null ? editing.id : undefined);
      message.success(t('reports.messages.saved'));
      onSaved();
    } catch (e) {
      setServerError(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open={editing != null} title={t(editing === 'new' ? 'reports.actions.newSchedule' : 'reports.actions.edit')} onCancel={onClose}
      onOk={() => void submit()} confirmLoading={saving} okText={t('reports.actions.save')} cancelText={t('reports.actions.cancel')}
      okButtonProps={{ 'data-testid': 'schedule-save' }} width={760} destroyOnHidden>
      <Form layout="vertical">
        <Form.Item label={t('reports.fields.name')}>
          <Input data-testid="schedule-name" value={f.name} maxLength={200} onChange={(e) => set({ name: e.target.value })} />
        </Form.Item>
        <Space size={16} wrap>
          <Form.Item label={t('reports.fields.cadence')}>
            <Select<Cadence> value={f.cadence} onChange={(cadence) => set({ cadence, day: 1 })} style={{ width: 140 }} data-testid="schedule-cadence"
              options={CADENCES.map((c) => ({ value: c, label: t(`reports.cadences.${c}`) }))} />
          </Form.Item>
          {f.cadence === 'weekly' && (
            <Form.Item label={t('reports.fields.day')}>
              <Select<number> value={f.day} onChange={(day) => set({ day })} style={{ width: 140 }}
                options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: t(`reports.weekdays.d${d}`) }))} />
            </Form.Item>
          )}
          {f.cadence === 'monthly' && (
            <Form.Item label={t('reports.fields.dayOfMonth')}>
              <InputNumber<number> min={1} max={28} value={f.day} onChange={(day) => set({ day: day ?? 1 })} />
            </Form.Item>
          )}
          <Form.Item label={t('reports.fields.at')}>
            <Input data-testid="schedule-at" value={f.at} onChange={(e) => set({ at: e.target.value })} style={{ width: 100 }} />
          </Form.Item>
          <Form.Item label={t('reports.fields.timezone')}>
            <Input data-testid="schedule-zone" value={f.timezone} onChange={(e) => set({ timezone: e.target.value })} style={{ width: 220 }} />
          </Form.Item>
        </Space>
        <CommonFields kinds={f.kinds} setKinds={(kinds) => set({ kinds })} scopeKind={f.scopeKind} setScopeKind={(scopeKind) => set({ scopeKind })}
          scopeValue={f.scopeValue} setScopeValue={(scopeValue) => set({ scopeValue })} language={f.language} setLanguage={(language) => set({ language })} />
        <Form.Item label={t('reports.fields.recipients')} help={t('reports.fields.recipientsHelp')}>
          <Input.TextArea data-testid="schedule-recipients" rows={4} value={f.recipients} onChange={(e) => set({ recipients: e.target.value })}
            placeholder={'user:alice\ngroup:operator\ncfo@example.org ja-JP'} />
        </Form.Item>
      </Form>
      <Problems problems={problems} />
      {serverError && <Alert type="error" showIcon title={serverError} data-testid="schedule-error" />}
    </Modal>
  );
}

/** The signed-in user's own address for reports (PUT /api/v1/me/email). */
function MyEmail() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data } = usePoll(fetchMyEmail, 0);
  const [email, setEmail] = useState('');
  useEffect(() => setEmail(data ?? ''), [data]);
  const save = async () => {
    try {
      await saveMyEmail(email);
      message.success(t('reports.messages.emailSaved'));
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  return (
    <Space wrap>
      <Typography.Text>{t('reports.fields.email')}</Typography.Text>
      <Input data-testid="my-email" value={email} onChange={(e) => setEmail(e.target.value)} style={{ width: 260 }} title={t('reports.fields.emailHelp')} />
      <Button onClick={() => void save()} data-testid="my-email-save">{t('reports.actions.saveEmail')}</Button>
    </Space>
  );
}

/** The caller's schedules: create, edit, delete, run now. */
export function SchedulesTab() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { data, error, loading, reload } = usePoll(fetchSchedules, 30_000);
  const [editing, setEditing] = useState<Schedule | 'new' | null>(null);
  const [runningId, setRunningId] = useState<string | null>(null);

  const remove = async (s: Schedule) => {
    try {
      await deleteSchedule(s.id);
      message.success(t('reports.messages.deleted'));
      reload();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  const run = async (s: Schedule) => {
    setRunningId(s.id);
    try {
      const o = await runSchedule(s.id);
      const failed = Object.keys(o.failed);
      if (failed.length === 0) message.success(t('reports.messages.ran', { sent: o.sent.length }));
      else message.warning(t('reports.messages.ranWithFailures', { sent: o.sent.length, failed: failed.length, why: Object.values(o.failed).join('; ') }));
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setRunningId(null);
    }
  };
  const when = (s: Schedule) => {
    const day = s.cadence === 'weekly' ? ` ${t(`reports.weekdays.d${s.day ?? 1}`)}` : s.cadence === 'monthly' ? ` ${s.day}` : '';
    return `${t(`reports.cadences.${s.cadence}`)}${day} ${s.at} (${s.timezone})`;
  };
  const columns: ColumnsType<Schedule> = [
    { title: t('reports.columns.name'), key: 'name', render: (_, s) => s.name || s.kind.map((k) => t(`reports.kinds.${k}`)).join(', ') },
    { title: t('reports.columns.when'), key: 'when', width: 260, render: (_, s) => when(s) },
    { title: t('reports.columns.scope'), key: 'scope', width: 160, render: (_, s) => (s.scope.kind === 'all' ? t('reports.scopes.all') : s.scope.value) },
    {
      title: t('reports.columns.recipients'), key: 'recipients', width: 240,
      render: (_, s) => <Typography.Text style={{ whiteSpace: 'pre-line' }}>{recipientsText(s.recipients)}</Typography.Text>,
    },
    {
      title: t('reports.columns.next'), key: 'next', width: 200,
      render: (_, s) => (
        <Space orientation="vertical" size={0}>
          <span>{s.nextRun ? formatTime(Date.parse(s.nextRun), i18n.language) : '–'}</span>
          {s.attempt != null && s.attempt > 0 && <Tag color="orange">{t('reports.messages.retrying', { attempt: s.attempt, error: s.lastError ?? '' })}</Tag>}
        </Space>
      ),
    },
    {
      title: t('reports.columns.actions'), key: 'actions', width: 260,
      render: (_, s) => (
        <Space>
          <Button size="small" loading={runningId === s.id} onClick={() => void run(s)} data-testid={`schedule-run-${s.id}`}>{t('reports.actions.runNow')}</Button>
          <Button size="small" onClick={() => setEditing(s)}>{t('reports.actions.edit')}</Button>
          <Popconfirm title={t('reports.actions.confirmDelete')} onConfirm={() => void remove(s)} okText={t('reports.actions.delete')} cancelText={t('reports.actions.cancel')}>
            <Button size="small" danger data-testid={`schedule-delete-${s.id}`}>{t('reports.actions.delete')}</Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Space>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="schedule-new">{t('reports.actions.newSchedule')}</Button>
          <Button icon={<ReloadOutlined />} loading={loading} onClick={reload}>{t('reports.actions.refresh')}</Button>
        </Space>
        <MyEmail />
      </Space>
      {error != null && <Alert type="error" showIcon title={errorText(t, error)} />}
      <Table<Schedule> rowKey="id" size="middle" columns={columns} dataSource={data ?? []} loading={data == null && loading}
        pagination={{ pageSize: 50, hideOnSinglePage: true }} scroll={{ x: 1100 }}
        onRow={(s) => ({ 'data-testid': `schedule-row-${s.id}` } as React.HTMLAttributes<HTMLElement>)}
        locale={{ emptyText: <Empty description={t('reports.messages.noSchedules')} /> }} />
      <ScheduleEditor editing={editing} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); reload(); }} />
    </Space>
  );
}
