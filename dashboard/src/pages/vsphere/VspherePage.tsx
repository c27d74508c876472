import { Card, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { navigate } from '../../lib/route';
import { vsphereHref, type VsphereTab } from '../../lib/vsphere';
import { InventoryTab } from './InventoryTab';
import { ConnectionsTab } from './ConnectionsTab';
import { GuestsTab } from './GuestsTab';

/** #/vsphere/<tab>: the inventory tree, the vCenter connections and guest collection status. */
export default function VspherePage({ tab, canManage }: { tab: VsphereTab; canManage: boolean }) {
  const { t } = useTranslation();
  return (
    <Card data-testid="vsphere-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>{t('vsphere.title')}</Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(k) => navigate(vsphereHref(k as VsphereTab))}
        destroyOnHidden
        items={[
          { key: 'inventory', label: t('vsphere.tabs.inventory'), children: <InventoryTab /> },
          { key: 'connections', label: t('vsphere.tabs.connections'), children: <ConnectionsTab canManage={canManage} /> },
          { key: 'guests', label: t('vsphere.tabs.guests'), children: <GuestsTab /> },
        ]}
      />
    </Card>
  );
}
