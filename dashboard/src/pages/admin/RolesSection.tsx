import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, Form, Input, Modal, Popconfirm, Row, Select, Space, Table, Tag, Tree } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { checkRole, deleteRole, listRoles, saveRole, type RoleView } from '../../api/admin';
import { parseList, roleForest, type RoleNode } from '../../lib/admin';
import { EffectiveTable, useLoad } from './shared';

interface RoleForm { name: string; parents: string[]; grants: string; denies: string; requireTotp: boolean }

type TreeItem = { key: string; title: string; children: TreeItem[] };
function toTree(nodes: RoleNode[], prefix = ''): TreeItem[] {
  return nodes.map((n) => ({ key: `${prefix}/${n.name}`, title: n.name, children: toTree(n.children, `${prefix}/${n.name}`) }));
}

/** Roles: the inheritance tree, each role's effective permissions, and an editor that shows conflicts before saving. */
export default function RolesSection() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const roles = useLoad(listRoles);
  const [editing, setEditing] = useState<{ isNew: boolean } | null>(null);
  const [problems, setProblems] = useState<string[] | null>(null);
  const [checking, setChecking] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [form] = Form.useForm<RoleForm>();
  const draft = Form.useWatch([], form) as RoleForm | undefined;
  const draftKey = JSON.stringify(draft ?? null);
  const tree = useMemo(() => toTree(roleForest(roles.data ?? [])), [roles.data]);

  // Ask the server's conflict check whenever the draft changes (debounced), before any save.
  useEffect(() => {
    if (!editing || !draft?.name) {
      setProblems(null);
      return;
    }
    setChecking(true);
    let live = true;
    const timer = setTimeout(() => {
      checkRole({ name: draft.name, parents: draft.parents ?? [], grants: parseList(draft.grants ?? ''), denies: parseList(draft.denies ?? ''), requireTotp: !!draft.requireTotp })
        .then((p) => live && setProblems(p), (e: Error) => live && setProblems([e.message]))
        .finally(() => live && setChecking(false));
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [editing, draftKey]);

  const open = (r: RoleView | null) => {
    setSaveError(null);
    setProblems(null);
    form.setFieldsValue(r
      ? { name: r.name, parents: r.parents, grants: r.grants.join('\n'), denies: r.denies.join('\n'), requireTotp: r.requireTotp }
      : { name: '', parents: [], grants: '', denies: '', requireTotp: false });
    setEditing({ isNew: r === null });
  };

  const submit = async (v: RoleForm) => {
    setSaveError(null);
    try {
      await saveRole({ name: v.name, parents: v.parents ?? [], grants: parseList(v.grants ?? ''), denies: parseList(v.denies ?? ''), requireTotp: !!v.requireTotp });
      void message.success(t('admin.common.saved'));
      setEditing(null);
      roles.reload();
    } catch (e) {
      setSaveError((e as Error).message);
    }
  };

  const remove = async (name: string) => {
    try {
      await deleteRole(name);
      roles.reload();
    } catch (e) {
      void message.error(t('admin.common.failed', { reason: (e as Error).message }));
    }
  };

  const blocked = checking || problems === null || problems.length > 0;
  return (
    <div data-testid="admin-roles">
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" icon={<PlusOutlined />} data-testid="role-create" onClick={() => open(null)}>{t('admin.roles.create')}</Button>
        <Button icon={<ReloadOutlined />} onClick={roles.reload}>{t('admin.common.refresh')}</Button>
      </Space>
      {roles.error && <Alert type="error" showIcon title={roles.error} style={{ marginBottom: 16 }} />}
      <Row gutter={16}>
        <Col xs={24} md={7}>
          <Card size="small" title={t('admin.roles.tree')}>
            {tree.length > 0 && <Tree data-testid="role-tree" treeData={tree} defaultExpandAll selectable={false} />}
          </Card>
        </Col>
        <Col xs={24} md={17}>
          <Table<RoleView>
            rowKey="name"
            loading={roles.loading}
            dataSource={roles.data ?? []}
            pagination={false}
            expandable={{ expandedRowRender: (r) => (r.effective ? <EffectiveTable view={r.effective} /> : null) }}
            columns={[
              { title: t('admin.roles.name'), dataIndex: 'name', render: (n: string, r) => <Space><strong>{n}</strong>{r.builtin && <Tag>{t('admin.roles.builtin')}</Tag>}</Space> },
              { title: t('admin.roles.parents'), dataIndex: 'parents', render: (p: string[]) => (p.length ? p.map((x) => <Tag key={x}>{x}</Tag>) : '–') },
              { title: t('admin.roles.grants'), dataIndex: 'grants', render: (g: string[]) => g.map((x) => <Tag color="green" key={x}>{x}</Tag>) },
              { title: t('admin.roles.denies'), dataIndex: 'denies', render: (d: string[]) => d.map((x) => <Tag color="red" key={x}>{x}</Tag>) },
              {
                title: t('admin.common.actions'),
                render: (_: unknown, r) => (r.builtin ? null : (
                  <Space size={4}>
                    <Button size="small" onClick={() => open(r)}>{t('admin.users.edit')}</Button>
                    <Popconfirm title={t('admin.common.confirmDelete', { name: r.name })} onConfirm={() => remove(r.name)}>
                      <Button size="small" danger>{t('admin.common.delete')}</Button>
                    </Popconfirm>
                  </Space>
                )),
              },
            ]}
          />
        </Col>
      </Row>
      <Modal
        open={editing !== null}
        title={editing?.isNew ? t('admin.roles.create') : t('admin.roles.editTitle', { name: draft?.name ?? '' })}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        okText={t('admin.common.save')}
        cancelText={t('admin.common.cancel')}
        okButtonProps={{ disabled: blocked, 'data-testid': 'role-save' } }
        width={720}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item name="name" label={t('admin.roles.name')} rules={[{ required: true }]}>
            <Input data-testid="role-name" disabled={!editing?.isNew} maxLength={64} />
          </Form.Item>
          <Form.Item name="parents" label={t('admin.roles.parents')}>
            <Select mode="multiple" data-testid="role-parents" options={(roles.data ?? []).filter((r) => r.name !== draft?.name).map((r) => ({ value: r.name, label: r.name }))} />
          </Form.Item>
          <Form.Item name="grants" label={t('admin.roles.grants')} extra={t('admin.users.permissionsHint')}>
            <Input.TextArea data-testid="role-grants" rows={3} />
          </Form.Item>
          <Form.Item name="denies" label={t('admin.roles.denies')}>
            <Input.TextArea data-testid="role-denies" rows={2} />
          </Form.Item>
          <Form.Item name="requireTotp" valuePropName="checked">
            <Checkbox>{t('admin.roles.requireTotp')}</Checkbox>
          </Form.Item>
        </Form>
        {checking ? (
          <Alert type="info" title={t('admin.roles.checking')} />
        ) : problems && problems.length > 0 ? (
          <Alert data-testid="role-conflicts" type="error" showIcon title={t('admin.roles.conflicts')}
            description={<ul style={{ margin: 0, paddingLeft: 18 }}>{problems.map((p) => <li key={p}>{p}</li>)}</ul>} />
        ) : problems ? (
          <Alert data-testid="role-ok" type="success" showIcon title={t('admin.roles.noConflicts')} />
        ) : null}
        {saveError && <Alert type="error" showIcon title={saveError} style={{ marginTop: 12 }} />}
      </Modal>
    </div>
  );
}
