import { Button, Tooltip } from 'antd';
import { MoonOutlined, SunOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { setTheme, useTheme } from '../lib/theme';

/** Switches between the light and dark theme (kept in this browser). */
export function ThemeSwitch() {
  const { t } = useTranslation();
  const mode = useTheme();
  const next = mode === 'dark' ? 'light' : 'dark';
  const label = `${t('history.theme.label')}: ${t(`history.theme.${mode}`)}`;
  return (
    <Tooltip title={label}>
      <Button data-testid="theme-switch" data-theme={mode} aria-label={label} icon={mode === 'dark' ? <MoonOutlined /> : <SunOutlined />} onClick={() => setTheme(next)} />
    </Tooltip>
  );
}
