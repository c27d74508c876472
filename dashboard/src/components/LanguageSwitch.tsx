import { Select } from 'antd';
import { GlobalOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { changeLanguage, pickLanguage } from '../i18n';
import { apiFetch } from '../api/client';
import { getSession, setSession } from '../api/session';
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES, type Language } from '../i18n/resources';

/** Remembers a signed-in user's choice on the server too (their language preference). */
function choose(lang: Language): void {
  void changeLanguage(lang);
  const s = getSession();
  if (s && !s.restricted) {
    apiFetch('/api/v1/me', { method: 'PATCH', body: { language: lang } })
      .then(() => setSession({ ...(getSession() ?? s), language: lang }))
      .catch(() => {
        // the choice still holds in this browser
      });
  }
}

/** English / 简体中文 / 日本語; the choice is kept in localStorage (and on the server when signed in). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <Select<Language>
      data-testid="language-switch"
      aria-label={t('header.language')}
      size="middle"
      value={pickLanguage(i18n.language)}
      onChange={choose}
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
