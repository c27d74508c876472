import { useState } from 'react';
import { Alert, App, Button, Checkbox, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import {
  createUser, deleteUser, listRoles, listUsers, patchUser, unlockUser, userPermissions,
  type AdminUser, type EffectiveView,
} from '../../api/admin';
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES } from '../../i18n/resources';
import { parseList } from '../../lib/admin';
import { EffectiveTable, useLoad } from './shared';

const LANGUAGE_OPTIONS = SUPPORTED_LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }));

interface CreateForm { username: string; password: string; role: string; language: string; mustChangePassword: boolean }
interface EditForm { role: string; language: string; extraGrants: string; extraDenies: string; password?: string }

export default function UsersSection() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const users = useLoad(listUsers);
  const roles = useLoad(listRoles);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<AdminUser | null>(null);
  const [effective, setEffective] = useState<EffectiveView | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [createForm] = Form.useForm<CreateForm>();
  const [editForm] = Form.useForm<EditForm>();
  const roleOptions = (roles.data ?? []).map((r) => ({ value: r.name, label: r.name }));

  const act = async (what: () => Promise<unknown>, done?: string) => {
    try {
      await what();
      if (done) void message.success(done);
      users.reload();
    } catch (e) {
      void message.error(t('admin.common.failed', { reason: (e as Error).message }));
    }
  };

  const openEdit = (u: AdminUser) => {
    setEditing(u);
    setFormError(null);
    setEffective(null);
    editForm.setFieldsValue({ role: u.role, language: u.language, extraGrants: u.extraGrants.join('\n'), extraDenies: u.extraDenies.join('\n'), password: '' });
    userPermissions(u.username).then(setEffective, () => setEffective(null));
  };

  const submitCreate = async (v: CreateForm) => {
    setFormError(null);
    try {
      await createUser(v);
      void message.success(t('admin.users.created', { name: v.username }));
      setCreating(false);
      createForm.resetFields();
      users.reload();
    } catch (e) {
      setFormError((e as Error).message);
    }
  };

  const submitEdit = async (v: EditForm) => {
    if (!editing) return;
    setFormError(null);
    const patch: Record<string, unknown> = { role: v.role, language: v.language, extraGrants: parseList(v.extraGrants ?? ''), extraDenies: parseList(v.extraDenies ?? '') };
    if (v.password) patch.password = v.password;
    try {
      await patchUser(editing.username, patch);
      void message.success(t('admin.common.saved'));
      setEditing(null);
      users.reload();
    } catch (e) {
      setFormError((e as Error).message);
    }
  };

  return (
    <div data-testid="admin-users">
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" icon={<PlusOutlined />} data-testid="user-create" onClick={() => { setFormError(null); setCreating(true); }}>
          {t('admin.users.create')}
        </Button>
        <Button icon={<ReloadOutlined />} onClick={users.reload}>{t('admin.common.refresh')}</Button>
      </Space>
      {users.error && <Alert type="error" showIcon title={users.error} style={{ marginBottom: 16 }} />}
      <Table<AdminUser>
        rowKey="username"
        loading={users.loading}
        dataSource={users.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('admin.users.username'), dataIndex: 'username', render: (n: string) => <strong data-testid={`user-row-${n}`}>{n}</strong> },
          { title: t('admin.users.role'), dataIndex: 'role', render: (r: string) => <Tag>{r}</Tag> },
          { title: t('admin.users.language'), dataIndex: 'language', render: (l: string) => LANGUAGE_NAMES[l as keyof typeof LANGUAGE_NAMES] ?? l },
          {
            title: t('admin.users.status'),
            render: (_: unknown, u) => (
              <Space size={4} wrap>
                {u.disabled ? <Tag color="default">{t('admin.users.disabled')}</Tag> : <Tag color="green">{t('admin.users.active')}</Tag>}
                {u.lockedForUnknownSources && <Tag color="red">{t('admin.users.locked')}</Tag>}
                {u.mustChangePassword && <Tag color="orange">{t('admin.users.mustChange')}</Tag>}
                {u.totpEnabled && <Tag color="blue">{t('admin.users.totp')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('admin.common.actions'),
            render: (_: unknown, u) => (
              <Space size={4} wrap>
                <Button size="small" onClick={() => openEdit(u)}>{t('admin.users.edit')}</Button>
                <Button size="small" onClick={() => void act(() => patchUser(u.username, { disabled: !u.disabled }), t('admin.common.saved'))}>
                  {u.disabled ? t('admin.users.enable') : t('admin.users.disable')}
                </Button>
                <Button size="small" onClick={() => void act(() => unlockUser(u.username), t('admin.users.unlocked', { name: u.username }))}>
                  {t('admin.users.unlock')}
                </Button>
                <Popconfirm title={t('admin.common.confirmDelete', { name: u.username })} onConfirm={() => act(() => deleteUser(u.username))}>
                  <Button size="small" danger>{t('admin.common.delete')}</Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('admin.users.create')}
        onCancel={() => setCreating(false)}
        onOk={() => createForm.submit()}
        okText={t('admin.common.save')}
        cancelText={t('admin.common.cancel')}
        okButtonProps={{ 'data-testid': 'user-create-submit' } }
        destroyOnHidden
      >
        {formError && <Alert data-testid="user-form-error" type="error" showIcon title={formError} style={{ marginBottom: 16 }} />}
        <Form form={createForm} layout="vertical" onFinish={(v) => void submitCreate(v)}
          initialValues={{ role: 'viewer', language: 'en', mustChangePassword: true }}>
          <Form.Item name="username" label={t('admin.users.username')} rules={[{ required: true }]}>
            <Input data-testid="user-create-username" autoComplete="off" maxLength={128} />
          </Form.Item>
          <Form.Item name="password" label={t('admin.users.password')} extra={t('admin.users.passwordHint')} rules={[{ required: true, min: 12 }]}>
            <Input.Password data-testid="user-create-password" autoComplete="new-password" maxLength={1024} />
          </Form.Item>
          <Form.Item name="role" label={t('admin.users.role')} rules={[{ required: true }]}>
            <Select options={roleOptions} data-testid="user-create-role" />
          </Form.Item>
          <Form.Item name="language" label={t('admin.users.language')}>
            <Select options={LANGUAGE_OPTIONS} />
          </Form.Item>
          <Form.Item name="mustChangePassword" valuePropName="checked">
            <Checkbox>{t('admin.users.mustChange')}</Checkbox>
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={editing !== null}
        title={editing ? t('admin.users.editTitle', { name: editing.username }) : ''}
        onCancel={() => setEditing(null)}
        onOk={() => editForm.submit()}
        okText={t('admin.common.save')}
        cancelText={t('admin.common.cancel')}
        width={760}
        destroyOnHidden
      >
        {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} />}
        <Form form={editForm} layout="vertical" onFinish={(v) => void submitEdit(v)}>
          <Space size={16} style={{ display: 'flex' }} align="start">
            <Form.Item name="role" label={t('admin.users.role')} style={{ minWidth: 200 }}>
              <Select options={roleOptions} />
            </Form.Item>
            <Form.Item name="language" label={t('admin.users.language')} style={{ minWidth: 160 }}>
              <Select options={LANGUAGE_OPTIONS} />
            </Form.Item>
          </Space>
          <Form.Item name="extraGrants" label={t('admin.users.extraGrants')} extra={t('admin.users.permissionsHint')}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="extraDenies" label={t('admin.users.extraDenies')}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="password" label={t('admin.users.resetPassword')} extra={t('admin.users.passwordHint')}>
            <Input.Password autoComplete="new-password" maxLength={1024} />
          </Form.Item>
        </Form>
        {effective && (
          <>
            <h4>{t('admin.users.effective')}</h4>
            <EffectiveTable view={effective} />
          </>
        )}
      </Modal>
    </div>
  );
}
