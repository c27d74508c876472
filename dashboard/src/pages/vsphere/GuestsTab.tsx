import { Alert, Button, Empty, Space, Table, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { fetchGuestStatus, type GuestVmStatus } from '../../api/vsphere';
import { nodeHref } from '../../lib/route';
import { formatTime, useLoad } from '../admin/shared';

/** Guest collection (SSH, WinRM, scripts): the last cycle and each VM's state. */
export function GuestsTab() {
  const { t } = useTranslation();
  const status = useLoad(fetchGuestStatus);
  const never = t('vsphere.conn.never');
  const c = status.data?.cycles;
  return (
    <div data-testid="vsphere-guests">
      <Space style={{ marginBottom: 16 }} wrap>
        <Button icon={<ReloadOutlined />} onClick={status.reload}>{t('vsphere.refresh')}</Button>
        {c && (
          <Typography.Text type="secondary">
            {t('vsphere.guests.summary', { time: formatTime(c.lastCycleMs, never), ok: c.ok, targets: c.targets, errors: c.errors, interval: c.intervalSeconds })}
          </Typography.Text>
        )}
      </Space>
      {status.error && <Alert type="error" showIcon title={t('vsphere.loadError', { error: status.error })} style={{ marginBottom: 16 }} />}
      <Table<GuestVmStatus>
        rowKey="node"
        size="small"
        loading={status.loading}
        dataSource={status.data?.vms ?? []}
        locale={{ emptyText: <Empty description={t('vsphere.guests.empty')} /> }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('vsphere.guests.vm'), dataIndex: 'vm', render: (vm: string, r) => <a href={nodeHref(r.node)}>{vm}</a> },
          { title: t('vsphere.guests.credential'), dataIndex: 'credential' },
          { title: t('vsphere.guests.kind'), dataIndex: 'kind', render: (k: string) => <Tag>{k}</Tag> },
          { title: t('vsphere.guests.address'), dataIndex: 'address', render: (a: string) => <code>{a}</code> },
          {
            title: t('vsphere.guests.state'),
            dataIndex: 'state',
            render: (s: string) => <Tag color={s === 'ok' ? 'green' : 'red'}>{s}</Tag>,
          },
          { title: t('vsphere.guests.lastOk'), dataIndex: 'lastOkMs', render: (v: number) => formatTime(v, never) },
          { title: t('vsphere.guests.samples'), dataIndex: 'samples' },
          { title: t('vsphere.guests.error'), dataIndex: 'lastError', render: (e: string | null) => (e ? <Typography.Text type="danger">{e}</Typography.Text> : '') },
        ]}
      />
    </div>
  );
}
