import { Alert, Button, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { forgetNode, listNodeCredentials, revokeNode, type NodeCredential } from '../../api/admin';
import { formatTime, useAction, useLoad } from './shared';

/** Per-node agent credentials (what /api/v1/node-credentials offers): list, revoke, forget. */
export default function NodeCredentialsSection() {
  const { t } = useTranslation();
  const nodes = useLoad(listNodeCredentials);
  const never = t('admin.common.never');
  const act = useAction(nodes.reload);
  return (
    <div data-testid="admin-nodes">
      <Space style={{ marginBottom: 16 }}>
        <Button icon={<ReloadOutlined />} onClick={nodes.reload}>{t('admin.common.refresh')}</Button>
        <Typography.Text type="secondary">{t('admin.nodes.forgetHint')}</Typography.Text>
      </Space>
      {nodes.error && <Alert type="error" showIcon title={nodes.error} style={{ marginBottom: 16 }} />}
      <Table<NodeCredential>
        rowKey="nodeId"
        loading={nodes.loading}
        dataSource={nodes.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('admin.nodes.nodeId'), dataIndex: 'nodeId', render: (n: string) => <code>{n}</code> },
          { title: t('admin.nodes.enrolledAt'), dataIndex: 'enrolledAt', render: (v: number) => formatTime(v, never) },
          { title: t('admin.nodes.enrolledFrom'), dataIndex: 'enrolledFrom' },
          {
            title: t('admin.nodes.state'),
            dataIndex: 'revokedAt',
            render: (v: number | null) => (v ? <Tag color="red">{t('admin.nodes.revokedAt', { time: formatTime(v, never) })}</Tag> : <Tag color="green">{t('admin.nodes.live')}</Tag>),
          },
          {
            title: t('admin.common.actions'),
            render: (_: unknown, n) => (
              <Space size={4}>
                {!n.revokedAt && (
                  <Popconfirm title={t('admin.nodes.revoke') + ' ' + n.nodeId + '?'} onConfirm={() => act(() => revokeNode(n.nodeId))}>
                    <Button size="small" danger>{t('admin.nodes.revoke')}</Button>
                  </Popconfirm>
                )}
                <Popconfirm title={t('admin.common.confirmDelete', { name: n.nodeId })} onConfirm={() => act(() => forgetNode(n.nodeId))}>
                  <Button size="small">{t('admin.nodes.forget')}</Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
    </div>
  );
}
