import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { resources, SUPPORTED_LANGUAGES, type Language } from './resources';

export const LANGUAGE_STORAGE_KEY = 'syslens.language';

/** Maps a BCP 47 tag (navigator.language, a stored choice) to a supported language. */
export function pickLanguage(tag: string | null | undefined): Language {
  const t = (tag ?? '').toLowerCase();
  if (t.startsWith('zh')) return 'zh-CN';
  if (t.startsWith('ja')) return 'ja-JP';
  return 'en';
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The stored choice if any, else the browser's language. */
export function initialLanguage(): Language {
  const stored = storedLanguage();
  if (stored && (SUPPORTED_LANGUAGES as readonly string[]).includes(stored)) return stored as Language;
  return pickLanguage(typeof navigator === 'undefined' ? 'en' : navigator.language);
}

/** Switches the UI language and remembers it. */
export function changeLanguage(lang: Language): Promise<unknown> {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, lang);
  } catch {
    // private mode: the choice lasts for this page only
  }
  return i18n.changeLanguage(lang);
}

void i18n.use(initReactI18next).init({
  resources: Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, { translation: v }])),
  lng: initialLanguage(),
  fallbackLng: 'en',
  supportedLngs: [...SUPPORTED_LANGUAGES],
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

i18n.on('languageChanged', (lng) => {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
});
if (typeof document !== 'undefined') document.documentElement.lang = i18n.language;

export default i18n;
