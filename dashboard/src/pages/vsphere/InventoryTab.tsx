import { useMemo, useState } from 'react';
import { Alert, Button, Empty, Input, Space, Tag, Tooltip, Tree, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { fetchTree, type TreeNode } from '../../api/vsphere';
import { countLeaves, detailHref, filterTree, health, HEALTH_COLORS, treeKey } from '../../lib/vsphere';
import { navigate } from '../../lib/route';
import { useLoad } from '../admin/shared';

interface Item { key: string; node: TreeNode; children?: Item[] }

function items(nodes: TreeNode[], path: string[]): Item[] {
  return nodes.map((n) => {
    const p = [...path, n.kind, n.id];
    return { key: treeKey(p), node: n, children: n.children ? items(n.children, p) : undefined };
  });
}

/** The inventory as a tree (vCenter > datacenter > cluster > host > VM), coloured by health; VMs and hosts open their node page. */
export function InventoryTab() {
  const { t } = useTranslation();
  const tree = useLoad(fetchTree);
  const [q, setQ] = useState('');
  const data = useMemo(() => items(filterTree(tree.data ?? [], q), []), [tree.data, q]);
  // Open the first levels (vCenters, datacenters); a search opens everything it kept.
  const expanded = useMemo(() => {
    const keys: string[] = [];
    const walk = (list: Item[], depth: number) => list.forEach((i) => {
      if (q.trim() !== '' || depth < 2) keys.push(i.key);
      if (i.children) walk(i.children, depth + 1);
    });
    walk(data, 0);
    return keys;
  }, [data, q]);
  return (
    <div data-testid="vsphere-inventory">
      <Space style={{ marginBottom: 16 }} wrap>
        <Input.Search allowClear placeholder={t('vsphere.tree.search')} onSearch={setQ} onChange={(e) => e.target.value === '' && setQ('')} style={{ width: 320 }} data-testid="vsphere-tree-search" />
        <Button icon={<ReloadOutlined />} onClick={tree.reload}>{t('vsphere.refresh')}</Button>
        {(['ok', 'warn', 'bad', 'off'] as const).map((h) => (
          <Tag key={h} color={HEALTH_COLORS[h]}>{t(`vsphere.health.${h}`)}</Tag>
        ))}
      </Space>
      {tree.error && <Alert type="error" showIcon title={t('vsphere.loadError', { error: tree.error })} style={{ marginBottom: 16 }} />}
      {!tree.loading && data.length === 0 ? (
        <Empty description={t('vsphere.tree.empty')} />
      ) : (
        <Tree<Item>
          key={`${q}|${data.length}`}
          treeData={data}
          defaultExpandedKeys={expanded}
          height={640}
          blockNode
          selectable={false}
          titleRender={(item) => {
            const n = item.node;
            const h = health(n);
            const href = detailHref(n);
            const counts = n.kind !== 'vm' && n.kind !== 'esxi' ? countLeaves(n) : null;
            return (
              <span data-testid={`vsphere-node-${n.kind}`} data-health={h}>
                <Tooltip title={t(`vsphere.health.${h}`)}>
                  <span style={{ display: 'inline-block', width: 10, height: 10, borderRadius: 5, background: HEALTH_COLORS[h], marginRight: 8 }} />
                </Tooltip>
                <Tag>{t(`vsphere.kind.${n.kind}`)}</Tag>
                {href ? (
                  <a href={href} title={t('vsphere.tree.open')} onClick={(e) => { e.preventDefault(); navigate(href); }}>{n.name}</a>
                ) : (
                  <span>{n.name}</span>
                )}
                {n.state && <Typography.Text type="secondary" style={{ marginLeft: 8 }}>{n.state}</Typography.Text>}
                {counts && (
                  <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                    {t('vsphere.tree.counts', { hosts: counts.hosts, vms: counts.vms })}
                  </Typography.Text>
                )}
              </span>
            );
          }}
        />
      )}
    </div>
  );
}
