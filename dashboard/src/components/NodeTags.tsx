import { Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';

export function StatusTag({ status }: { status: 'online' | 'offline' | 'stale' }) {
  const { t } = useTranslation();
  return (
    <Tag color={status === 'online' ? 'success' : status === 'stale' ? 'warning' : 'default'} data-testid="node-status">
      {t(`fleet.status.${status}`)}
    </Tag>
  );
}

export function LabelTags({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Space size={[4, 4]} wrap>
      {entries.map(([k, v]) => (
        <Tag key={k} color="blue" variant="filled">{`${k}=${v}`}</Tag>
      ))}
    </Space>
  );
}
