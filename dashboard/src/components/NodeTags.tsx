import { Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';

export function StatusTag({ status }: { status: 'online' | 'offline' | 'stale' }) {
  const { t } = useTranslation();
  return (
    // The app's own status chip (styles.css): Ant Design's success/warning tag text is below AA contrast.
    <span className={`syslens-st syslens-st-${status}`} data-testid="node-status">
      {t(`fleet.status.${status}`)}
    </span>
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
