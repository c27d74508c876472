import { Select } from 'antd';
import { GlobalOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { changeLanguage, pickLanguage } from '../i18n';
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES, type Language } from '../i18n/resources';

/** English / 简体中文 / 日本語; the choice is kept in localStorage. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <Select<Language>
      data-testid="language-switch"
      aria-label={t('header.language')}
      size="middle"
      value={pickLanguage(i18n.language)}
      onChange={(lang) => void changeLanguage(lang)}
      prefix={<GlobalOutlined />}
      popupMatchSelectWidth={false}
      style={{ minWidth: 140 }}
      options={SUPPORTED_LANGUAGES.map((lang) => ({
        value: lang,
        label: <span data-testid={`language-option-${lang}`}>{LANGUAGE_NAMES[lang]}</span>,
      }))}
    />
  );
}
