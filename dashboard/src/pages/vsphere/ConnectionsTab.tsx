import { useState } from 'react';
import { Alert, App, Button, Empty, Form, Input, InputNumber, Modal, Popconfirm, Space, Switch, Table, Tag, Tooltip } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { collectNow, createVcenter, deleteVcenter, listVcenters, testVcenter, updateVcenter, type Vcenter } from '../../api/vsphere';
import { bodyOf, CONNECTION_DEFAULTS, formOf, validPin, type ConnectionForm } from '../../lib/vsphere';
import { formatTime, useLoad } from '../admin/shared';

const STATE_COLORS: Record<string, string> = { ok: 'green', error: 'red', starting: 'blue', disabled: 'default' };

/** vCenter connections: list with status, add, edit, test, collect now, remove. Passwords are write-only. */
export function ConnectionsTab({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useLoad(listVcenters);
  const [editing, setEditing] = useState<Vcenter | 'new' | null>(null);
  const never = t('vsphere.conn.never');
  const act = async (what: () => Promise<unknown>, done?: string) => {
    try {
      await what();
      if (done) void message.success(done);
      list.reload();
    } catch (e) {
      void message.error(t('vsphere.conn.failed', { reason: (e as Error).message }));
    }
  };
  return (
    <div data-testid="vsphere-connections">
      <Space style={{ marginBottom: 16 }}>
        {canManage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="vcenter-add">{t('vsphere.conn.add')}</Button>
        )}
        <Button icon={<ReloadOutlined />} onClick={list.reload}>{t('vsphere.refresh')}</Button>
      </Space>
      {list.error && <Alert type="error" showIcon title={t('vsphere.loadError', { error: list.error })} style={{ marginBottom: 16 }} />}
      <Table<Vcenter>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        locale={{ emptyText: <Empty description={t('vsphere.conn.empty')} /> }}
        pagination={false}
        columns={[
          { title: t('vsphere.conn.name'), dataIndex: 'name', render: (n: string) => <strong>{n}</strong> },
          { title: t('vsphere.conn.url'), dataIndex: 'url', render: (u: string) => <code>{u}</code> },
          { title: t('vsphere.conn.user'), dataIndex: 'user' },
          {
            title: t('vsphere.conn.state'),
            render: (_: unknown, v) => {
              const state = v.enabled ? v.status?.state ?? 'starting' : 'disabled';
              const tag = <Tag color={STATE_COLORS[state]} data-testid={`vcenter-state-${v.name}`}>{t(`vsphere.conn.states.${state}`)}</Tag>;
              // Several server instances: which one polls it (every instance shows the status it left).
              const owner = v.status?.owner ? t('vsphere.conn.polledBy', { owner: v.status.owner }) : null;
              const tip = [v.status?.lastError, owner].filter(Boolean).join(' · ');
              return tip ? <Tooltip title={tip}>{tag}</Tooltip> : tag;
            },
          },
          {
            title: t('vsphere.conn.objects'),
            render: (_: unknown, v) => (v.status ? t('vsphere.conn.objectSummary', { hosts: v.status.hosts, vms: v.status.vms }) : '—'),
          },
          {
            title: t('vsphere.conn.lastCycle'),
            render: (_: unknown, v) => (v.status?.lastCycleMs
              ? `${formatTime(v.status.lastCycleMs, never)} · ${t('vsphere.conn.cycleSummary', { duration: (v.status.cycleDurationMs / 1000).toFixed(1), samples: v.status.cycleSamples })}`
              : never),
          },
          ...(canManage ? [{
            title: '',
            render: (_: unknown, v: Vcenter) => (
              <Space size={4}>
                <Button size="small" onClick={() => setEditing(v)} data-testid={`vcenter-edit-${v.name}`}>{t('vsphere.conn.edit')}</Button>
                <Button size="small" onClick={() => void act(() => collectNow(v.id))}>{t('vsphere.conn.collect')}</Button>
                <Popconfirm title={t('vsphere.conn.confirmRemove', { name: v.name })} onConfirm={() => void act(() => deleteVcenter(v.id), t('vsphere.conn.removed'))}>
                  <Button size="small" danger data-testid={`vcenter-remove-${v.name}`}>{t('vsphere.conn.remove')}</Button>
                </Popconfirm>
              </Space>
            ),
          }] : []),
        ]}
      />
      {editing !== null && (
        <ConnectionModal
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void message.success(t('vsphere.conn.saved'));
            list.reload();
          }}
        />
      )}
    </div>
  );
}

function ConnectionModal({ editing, onClose, onSaved }: { editing: Vcenter | 'new'; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ConnectionForm>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const isNew = editing === 'new';
  const save = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      if (isNew) await createVcenter(bodyOf(values));
      else await updateVcenter(editing.id, bodyOf(values));
      onSaved();
    } catch (e) {
      setResult({ ok: false, text: t('vsphere.conn.failed', { reason: (e as Error).message }) });
    } finally {
      setBusy(false);
    }
  };
  const test = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      const r = await testVcenter(bodyOf(values));
      setResult(r.ok ? { ok: true, text: t('vsphere.conn.testOk', { product: r.product ?? '' }) } : { ok: false, text: t('vsphere.conn.testFailed', { error: r.error ?? '' }) });
    } catch (e) {
      setResult({ ok: false, text: t('vsphere.conn.testFailed', { error: (e as Error).message }) });
    } finally {
      setBusy(false);
    }
  };
  const required = [{ required: true, message: t('vsphere.conn.required') }];
  return (
    <Modal
      open
      title={isNew ? t('vsphere.conn.add') : `${t('vsphere.conn.edit')} ${editing.name}`}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="test" onClick={() => void test()} loading={busy} data-testid="vcenter-test">{t('vsphere.conn.test')}</Button>,
        <Button key="cancel" onClick={onClose}>{t('vsphere.conn.cancel')}</Button>,
        <Button key="save" type="primary" onClick={() => void save()} loading={busy} data-testid="vcenter-save">{t('vsphere.conn.save')}</Button>,
      ]}
    >
      <Form<ConnectionForm> form={form} layout="vertical" initialValues={isNew ? CONNECTION_DEFAULTS : formOf(editing)} data-testid="vcenter-form">
        <Form.Item name="name" label={t('vsphere.conn.name')} rules={required}><Input maxLength={63} /></Form.Item>
        <Form.Item name="url" label={t('vsphere.conn.url')} rules={required}><Input placeholder="https://vcenter.example.com/sdk" /></Form.Item>
        <Form.Item name="user" label={t('vsphere.conn.user')} rules={required}><Input autoComplete="off" /></Form.Item>
        <Form.Item
          name="password"
          label={t('vsphere.conn.password')}
          rules={isNew ? required : []}
          extra={isNew ? undefined : t('vsphere.conn.passwordKept')}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="pinnedSha256"
          label={t('vsphere.conn.pin')}
          extra={t('vsphere.conn.pinHelp')}
          rules={[{ validator: (_, v: string) => (validPin(v) ? Promise.resolve() : Promise.reject(new Error(t('vsphere.conn.pinInvalid')))) }]}
        >
          <Input style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="maxConcurrency" label={t('vsphere.conn.maxConcurrency')}><InputNumber min={1} max={200} /></Form.Item>
          <Form.Item name="timeoutSeconds" label={t('vsphere.conn.timeout')}><InputNumber min={1} max={300} /></Form.Item>
          <Form.Item name="perfIntervalSeconds" label={t('vsphere.conn.perfInterval')}><InputNumber min={20} max={600} /></Form.Item>
          <Form.Item name="inventoryIntervalSeconds" label={t('vsphere.conn.inventoryInterval')}><InputNumber min={60} max={86400} /></Form.Item>
          <Form.Item name="enabled" label={t('vsphere.conn.enabled')} valuePropName="checked"><Switch /></Form.Item>
        </Space>
      </Form>
      {result && <Alert type={result.ok ? 'success' : 'error'} showIcon title={result.text} data-testid="vcenter-test-result" />}
    </Modal>
  );
}
