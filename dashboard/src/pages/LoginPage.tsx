import { useEffect, useState } from 'react';
import { Alert, Button, Card, Divider, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError, exchangeOidcCode, login, oidcEnabled } from '../api/client';
import { takeEndReason } from '../api/session';
import { Logo } from '../components/AppHeader';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { changeLanguage } from '../i18n';
import { SUPPORTED_LANGUAGES, type Language } from '../i18n/resources';

interface Credentials {
  username: string;
  password: string;
  code?: string;
}

type LoginError = { key: 'invalid' } | { key: 'network' } | { key: 'failed'; reason: string } | { key: 'expired' }
  | { key: 'locked'; reason: string } | { key: 'invalidCode' } | { key: 'sso'; reason: string };

/** `#/login/oidc?code=...` or `?error=...`: where the server sends the browser back after single sign-on. */
const SSO_RETURN = /^#\/login\/oidc\?(.*)$/;

export function LoginPage() {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [needCode, setNeedCode] = useState(false);
  const [error, setError] = useState<LoginError | null>(() => (takeEndReason() === 'expired' ? { key: 'expired' } : null));
  const [sso, setSso] = useState(false);

  useEffect(() => {
    void oidcEnabled().then(setSso);
    const back = SSO_RETURN.exec(window.location.hash);
    if (!back) return;
    const params = new URLSearchParams(back[1]);
    window.history.replaceState(null, '', '#/'); // the one-time code is used once; keep it out of history
    const code = params.get('code');
    if (!code) {
      setError({ key: 'sso', reason: params.get('error') ?? '?' });
      return;
    }
    setBusy(true);
    exchangeOidcCode(code).then((session) => {
      const preferred = (SUPPORTED_LANGUAGES as readonly string[]).find((l) => l === session.language);
      if (preferred && preferred !== i18n.language) void changeLanguage(preferred as Language);
    }, (e: unknown) => {
      setError({ key: 'sso', reason: (e as Error).message });
      setBusy(false);
    });
  }, []); // once, on mount

  const submit = async ({ username, password, code }: Credentials) => {
    setBusy(true);
    setError(null);
    try {
      const session = await login(username, password, needCode ? code : undefined);
      // The user's language preference (kept on the server) wins over this browser's choice.
      const preferred = (SUPPORTED_LANGUAGES as readonly string[]).find((l) => l === session.language);
      if (preferred && preferred !== i18n.language) void changeLanguage(preferred as Language);
      // the session store switches the app to the node list (or the account setup page)
    } catch (e) {
      if (e instanceof ApiError && e.errorType === 'totp_required') {
        setNeedCode(true);
        setBusy(false);
        return;
      }
      if (e instanceof ApiError && e.status === 401 && needCode) setError({ key: 'invalidCode' });
      else if (e instanceof ApiError && e.status === 401) setError({ key: 'invalid' });
      else if (e instanceof ApiError && e.status === 429) setError({ key: 'locked', reason: e.message });
      else if (e instanceof ApiError && e.status === 0) setError({ key: 'network' });
      else setError({ key: 'failed', reason: (e as Error).message });
      setBusy(false);
    }
  };

  const message = error == null ? null
    : error.key === 'invalid' ? t('login.invalid')
    : error.key === 'expired' ? t('login.sessionExpired')
    : error.key === 'invalidCode' ? t('login.invalidCode')
    : error.key === 'locked' ? t('login.locked', { reason: error.reason })
    : error.key === 'network' ? t('login.failed', { reason: t('errors.network') })
    : error.key === 'sso' ? t('login.ssoFailed', { reason: error.reason })
    : t('login.failed', { reason: error.reason });

  return (
    <div style={{ minHeight: '100vh', display: 'flex', flexDirection: 'column', background: 'linear-gradient(160deg, #eef4ff 0%, #f5f7fa 60%)' }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '16px 24px' }}>
        <Logo />
        <LanguageSwitch />
      </div>
      <div style={{ flex: 1, display: 'flex', alignItems: 'center', justifyContent: 'center', padding: 24 }}>
        <Card style={{ width: 380, boxShadow: '0 8px 24px rgba(22, 119, 255, 0.08)' }}>
          <Typography.Title level={3} style={{ marginTop: 0, marginBottom: 4 }}>{t('login.title')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
          {message && <Alert data-testid="login-error" type="error" showIcon title={message} style={{ marginBottom: 16 }} />}
          <Form<Credentials> layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
            <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('login.usernameRequired') }]}>
              <Input data-testid="login-username" prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
              <Input.Password data-testid="login-password" prefix={<LockOutlined />} autoComplete="current-password" size="large" />
            </Form.Item>
            {needCode && (
              <Form.Item name="code" label={t('login.code')} extra={t('login.codeHint')}
                rules={[{ required: true, message: t('login.codeRequired') }]}>
                <Input data-testid="login-code" autoComplete="one-time-code" autoFocus size="large" />
              </Form.Item>
            )}
            <Button data-testid="login-submit" type="primary" htmlType="submit" block size="large" loading={busy}>
              {t('login.submit')}
            </Button>
          </Form>
          {sso && (
            <>
              <Divider plain>{t('login.or')}</Divider>
              <Button data-testid="login-sso" block size="large" href="/api/v1/auth/oidc/start" disabled={busy}>
                {t('login.sso')}
              </Button>
            </>
          )}
        </Card>
      </div>
    </div>
  );
}
