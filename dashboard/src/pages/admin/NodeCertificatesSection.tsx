import { Alert, Button, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { listNodeCertificates, revokeNodeCertificate, type NodeCertificate } from '../../api/admin';
import { certificateState, type CertificateState } from '../../lib/admin';
import { formatTime, useAction, useLoad } from './shared';

const STATE_COLOR: Record<CertificateState, string> = { valid: 'green', soon: 'gold', expired: 'default', revoked: 'red' };

/** Client certificates issued to agents (what /api/v1/node-certificates offers): list, revoke one. */
export default function NodeCertificatesSection({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const certs = useLoad(listNodeCertificates);
  const never = t('admin.common.never');
  const now = Date.now();
  const act = useAction(certs.reload);
  return (
    <div data-testid="admin-certificates">
      <Space style={{ marginBottom: 16 }}>
        <Button icon={<ReloadOutlined />} onClick={certs.reload}>{t('admin.common.refresh')}</Button>
        <Typography.Text type="secondary">{t('admin.certificates.hint')}</Typography.Text>
      </Space>
      {certs.error && <Alert type="error" showIcon title={certs.error} style={{ marginBottom: 16 }} />}
      <Table<NodeCertificate>
        rowKey="serial"
        loading={certs.loading}
        dataSource={certs.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('admin.certificates.node'), dataIndex: 'nodeId', render: (n: string) => <code>{n}</code> },
          {
            title: t('admin.certificates.serial'),
            dataIndex: 'serial',
            render: (s: string, c) => <Typography.Text code copyable={{ text: s }} title={`SHA-256 ${c.publicKeySha256}`}>{s}</Typography.Text>,
          },
          { title: t('admin.certificates.notBefore'), dataIndex: 'issuedAt', render: (v: number) => formatTime(v, never) },
          { title: t('admin.certificates.notAfter'), dataIndex: 'notAfter', render: (v: number) => formatTime(v, never) },
          {
            title: t('admin.certificates.state'),
            render: (_: unknown, c) => {
              const s = certificateState(c, now);
              const label = s === 'revoked' ? t('admin.nodes.revokedAt', { time: formatTime(c.revokedAt, never) }) : t(`admin.certificates.states.${s}`);
              return <Tag color={STATE_COLOR[s]} data-testid={`cert-state-${c.serial}`}>{label}</Tag>;
            },
          },
          ...(canManage ? [{
            title: t('admin.common.actions'),
            render: (_: unknown, c: NodeCertificate) => (c.revokedAt ? null : (
              <Popconfirm title={t('admin.certificates.confirmRevoke', { serial: c.serial, node: c.nodeId })} onConfirm={() => act(() => revokeNodeCertificate(c.serial))}
                okButtonProps={{ 'data-testid': 'cert-revoke-confirm' }}>
                <Button size="small" danger data-testid={`cert-revoke-${c.serial}`}>{t('admin.certificates.revoke')}</Button>
              </Popconfirm>
            )),
          }] : []),
        ]}
      />
    </div>
  );
}
