import { useState } from 'react';
import { Alert, Button, Form, Input, InputNumber, Modal, Popconfirm, Space, Table, Tag } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyView } from '../../api/admin';
import { parseList } from '../../lib/admin';
import { formatTime, SecretOnceModal, useAction, useLoad } from './shared';

interface KeyForm { name: string; scopes: string; days?: number | null }

/** The signed-in user's API keys: create (the key is shown once), list with last use and expiry, revoke. */
export default function ApiKeysSection() {
  const { t } = useTranslation();
  const keys = useLoad(listApiKeys);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  const [form] = Form.useForm<KeyForm>();
  const never = t('admin.common.never');

  const submit = async (v: KeyForm) => {
    setError(null);
    try {
      const k = await createApiKey({ name: v.name, scopes: parseList(v.scopes ?? ''), expiresAt: v.days ? Date.now() + v.days * 86_400_000 : null });
      setCreating(false);
      form.resetFields();
      setShown({ name: k.name, key: k.key });
      keys.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const act = useAction(keys.reload);

  return (
    <div data-testid="admin-apikeys">
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" icon={<PlusOutlined />} data-testid="apikey-create" onClick={() => { setError(null); setCreating(true); }}>
          {t('admin.apikeys.create')}
        </Button>
        <Button icon={<ReloadOutlined />} onClick={keys.reload}>{t('admin.common.refresh')}</Button>
      </Space>
      {keys.error && <Alert type="error" showIcon title={keys.error} style={{ marginBottom: 16 }} />}
      <Table<ApiKeyView>
        rowKey="id"
        loading={keys.loading}
        dataSource={keys.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('admin.apikeys.name'), dataIndex: 'name', render: (n: string) => <strong data-testid={`apikey-row-${n}`}>{n}</strong> },
          { title: t('admin.apikeys.scopes'), dataIndex: 'scopes', render: (s: string[]) => s.map((x) => <Tag key={x}>{x}</Tag>) },
          { title: t('admin.apikeys.created'), dataIndex: 'createdAt', render: (v: number) => formatTime(v, never) },
          { title: t('admin.apikeys.expires'), dataIndex: 'expiresAt', render: (v: number | null) => formatTime(v, never) },
          { title: t('admin.apikeys.lastUsed'), dataIndex: 'lastUsed', render: (v: number | null) => formatTime(v, never) },
          {
            title: t('admin.common.actions'),
            render: (_: unknown, k) => (k.revoked ? <Tag>{t('admin.apikeys.revoked')}</Tag> : (
              <Popconfirm title={t('admin.common.confirmDelete', { name: k.name })} onConfirm={() => act(() => revokeApiKey(k.id))}>
                <Button size="small" danger>{t('admin.apikeys.revoke')}</Button>
              </Popconfirm>
            )),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('admin.apikeys.create')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        okText={t('admin.common.save')}
        cancelText={t('admin.common.cancel')}
        okButtonProps={{ 'data-testid': 'apikey-create-submit' } }
        destroyOnHidden
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} initialValues={{ scopes: 'monitoring:query:read' }}>
          <Form.Item name="name" label={t('admin.apikeys.name')} rules={[{ required: true }]}>
            <Input data-testid="apikey-name" maxLength={128} />
          </Form.Item>
          <Form.Item name="scopes" label={t('admin.apikeys.scopes')} extra={t('admin.apikeys.scopesHint')} rules={[{ required: true }]}>
            <Input.TextArea rows={2} data-testid="apikey-scopes" />
          </Form.Item>
          <Form.Item name="days" label={t('admin.apikeys.expiresIn')}>
            <InputNumber min={1} max={3650} style={{ width: 160 }} />
          </Form.Item>
        </Form>
      </Modal>
      <SecretOnceModal
        shown={shown?.key ?? null}
        title={shown ? t('admin.apikeys.keyTitle', { name: shown.name }) : ''}
        warning={t('admin.apikeys.shownOnce')}
        testId="apikey"
        onDone={() => setShown(null)}
      />
    </div>
  );
}
