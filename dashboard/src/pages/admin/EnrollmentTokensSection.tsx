import { useState } from 'react';
import { Alert, Button, Form, Input, InputNumber, Modal, Popconfirm, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { createEnrollmentToken, listEnrollmentTokens, revokeEnrollmentToken, type EnrollmentToken } from '../../api/admin';
import { tokenState, tokenTtlSeconds, type TokenState, type TtlUnit } from '../../lib/admin';
import { formatTime, SecretOnceModal, useAction, useLoad } from './shared';

interface TokenForm { name: string; oneTime: boolean; ttl: number | null; unit: TtlUnit }

const STATE_COLOR: Record<TokenState, string> = { active: 'green', used: 'default', expired: 'orange', revoked: 'red' };

/** Enrollment tokens for agents: list, create (the token text is shown once), revoke. */
export default function EnrollmentTokensSection({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const tokens = useLoad(listEnrollmentTokens);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const [form] = Form.useForm<TokenForm>();
  const never = t('admin.common.never');
  const now = Date.now();

  const submit = async (v: TokenForm) => {
    setError(null);
    const ttl = tokenTtlSeconds(v.ttl, v.unit);
    if ('error' in ttl) {
      setError(t(`admin.tokens.ttlError.${ttl.error}`));
      return;
    }
    try {
      const created = await createEnrollmentToken({ name: v.name.trim(), oneTime: v.oneTime, ttlSeconds: ttl.seconds });
      setCreating(false);
      form.resetFields();
      setShown({ name: created.name, token: created.token });
      tokens.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const act = useAction(tokens.reload);

  return (
    <div data-testid="admin-tokens">
      <Space style={{ marginBottom: 16 }}>
        {canManage && (
          <Button type="primary" icon={<PlusOutlined />} data-testid="token-create" onClick={() => { setError(null); setCreating(true); }}>
            {t('admin.tokens.create')}
          </Button>
        )}
        <Button icon={<ReloadOutlined />} onClick={tokens.reload}>{t('admin.common.refresh')}</Button>
        <Typography.Text type="secondary">{t('admin.tokens.hint')}</Typography.Text>
      </Space>
      {tokens.error && <Alert type="error" showIcon title={tokens.error} style={{ marginBottom: 16 }} />}
      <Table<EnrollmentToken>
        rowKey="id"
        loading={tokens.loading}
        dataSource={tokens.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('admin.tokens.name'), dataIndex: 'name', render: (n: string) => <strong data-testid={`token-row-${n}`}>{n}</strong> },
          { title: t('admin.tokens.kind'), dataIndex: 'oneTime', render: (o: boolean) => (o ? t('admin.tokens.oneTime') : t('admin.tokens.reusable')) },
          { title: t('admin.tokens.expires'), dataIndex: 'expiresAt', render: (v: number) => formatTime(v, never) },
          { title: t('admin.tokens.uses'), dataIndex: 'uses', render: (u: number, k) => (u > 0 ? `${u} (${formatTime(k.lastUsedAt, never)})` : '0') },
          {
            title: t('admin.tokens.state'),
            render: (_: unknown, k) => {
              const s = tokenState(k, now);
              return <Tag color={STATE_COLOR[s]} data-testid={`token-state-${k.name}`}>{t(`admin.tokens.states.${s}`)}</Tag>;
            },
          },
          { title: t('admin.tokens.createdBy'), dataIndex: 'createdBy' },
          { title: t('admin.tokens.created'), dataIndex: 'createdAt', render: (v: number) => formatTime(v, never) },
          ...(canManage ? [{
            title: t('admin.common.actions'),
            render: (_: unknown, k: EnrollmentToken) => (k.revokedAt ? null : (
              <Popconfirm title={t('admin.tokens.confirmRevoke', { name: k.name })} onConfirm={() => act(() => revokeEnrollmentToken(k.id))}
                okButtonProps={{ 'data-testid': 'token-revoke-confirm' }}>
                <Button size="small" danger data-testid={`token-revoke-${k.name}`}>{t('admin.tokens.revoke')}</Button>
              </Popconfirm>
            )),
          }] : []),
        ]}
      />
      <Modal
        open={creating}
        title={t('admin.tokens.create')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        okText={t('admin.common.save')}
        cancelText={t('admin.common.cancel')}
        okButtonProps={{ 'data-testid': 'token-create-submit' }}
        destroyOnHidden
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="token-create-error" />}
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} initialValues={{ oneTime: true, ttl: 24, unit: 'hours' }}>
          <Form.Item name="name" label={t('admin.tokens.name')} rules={[{ required: true, whitespace: true }]}>
            <Input data-testid="token-name" maxLength={128} />
          </Form.Item>
          <Form.Item name="oneTime" label={t('admin.tokens.kind')}>
            <Radio.Group
              data-testid="token-kind"
              options={[
                { value: true, label: t('admin.tokens.oneTime') },
                { value: false, label: <span data-testid="token-kind-reusable">{t('admin.tokens.reusable')}</span> },
              ]}
            />
          </Form.Item>
          <Form.Item label={t('admin.tokens.ttl')} extra={t('admin.tokens.ttlHint')} required>
            <Space.Compact>
              <Form.Item name="ttl" noStyle>
                <InputNumber min={1} precision={0} style={{ width: 120 }} data-testid="token-ttl" />
              </Form.Item>
              <Form.Item name="unit" noStyle>
                <Select style={{ width: 110 }} options={[{ value: 'hours', label: t('admin.tokens.hours') }, { value: 'days', label: t('admin.tokens.days') }]} />
              </Form.Item>
            </Space.Compact>
          </Form.Item>
        </Form>
      </Modal>
      <SecretOnceModal
        shown={shown?.token ?? null}
        title={shown ? t('admin.tokens.tokenTitle', { name: shown.name }) : ''}
        warning={t('admin.tokens.shownOnce')}
        testId="token"
        onDone={() => setShown(null)}
      />
    </div>
  );
}
