import { useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { beginTotp, changePassword, confirmTotp, logout } from '../api/client';
import { refreshSession } from '../api/auth';
import { clearSession, type Session } from '../api/session';
import { Logo } from '../components/AppHeader';
import { LanguageSwitch } from '../components/LanguageSwitch';

interface PasswordForm {
  current: string;
  next: string;
  confirm: string;
}

/** What a restricted session must do first: change the password, or enroll a second factor. */
export function AccountSetupPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  return (
    <div style={{ minHeight: '100vh', display: 'flex', flexDirection: 'column', background: 'linear-gradient(160deg, #eef4ff 0%, #f5f7fa 60%)' }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '16px 24px' }}>
        <Logo />
        <LanguageSwitch />
      </div>
      <div style={{ flex: 1, display: 'flex', alignItems: 'center', justifyContent: 'center', padding: 24 }}>
        <Card style={{ width: 420 }}>
          {session.restricted === 'change_password' ? <ChangePassword /> : <EnrollTotp />}
          <Button type="link" onClick={() => void logout()} style={{ paddingLeft: 0 }}>{t('header.logout')}</Button>
        </Card>
      </div>
    </div>
  );
}

function ChangePassword() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: PasswordForm) => {
    setBusy(true);
    setError(null);
    try {
      await changePassword(v.current, v.next);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>{t('setup.passwordTitle')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('setup.passwordRules')}</Typography.Paragraph>
      {error && <Alert data-testid="setup-error" type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form<PasswordForm> layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
        <Form.Item name="current" label={t('setup.currentPassword')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
          <Input.Password data-testid="setup-current" prefix={<LockOutlined />} autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="next" label={t('setup.newPassword')} rules={[{ required: true, min: 12, message: t('setup.tooShort') }]}>
          <Input.Password data-testid="setup-new" prefix={<LockOutlined />} autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="confirm" label={t('setup.confirmPassword')} dependencies={['next']}
          rules={[{ required: true, message: t('setup.mismatch') },
            ({ getFieldValue }) => ({
              validator: (_, value) => (value === getFieldValue('next') ? Promise.resolve() : Promise.reject(new Error(t('setup.mismatch')))),
            })]}>
          <Input.Password data-testid="setup-confirm" prefix={<LockOutlined />} autoComplete="new-password" />
        </Form.Item>
        <Button data-testid="setup-submit" type="primary" htmlType="submit" block loading={busy}>{t('setup.save')}</Button>
      </Form>
    </>
  );
}

function EnrollTotp() {
  const { t } = useTranslation();
  const [uri, setUri] = useState<string | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    beginTotp().then(setUri, (e: Error) => setError(e.message));
  }, []);
  const confirm = async ({ code }: { code: string }) => {
    setError(null);
    try {
      setCodes(await confirmTotp(code));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const done = async () => {
    if (!(await refreshSession())) clearSession('expired');
  };
  const secret = uri ? new URL(uri).searchParams.get('secret') : null;
  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>{t('setup.totpTitle')}</Typography.Title>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {codes ? (
        <>
          <Typography.Paragraph>{t('setup.recoveryCodes')}</Typography.Paragraph>
          <Typography.Paragraph code copyable data-testid="recovery-codes">{codes.join(' ')}</Typography.Paragraph>
          <Button type="primary" block onClick={() => void done()}>{t('setup.continue')}</Button>
        </>
      ) : (
        <>
          <Typography.Paragraph>{t('setup.totpScan')}</Typography.Paragraph>
          {secret && <Typography.Paragraph code copyable data-testid="totp-secret">{secret}</Typography.Paragraph>}
          <Form<{ code: string }> layout="vertical" onFinish={confirm} requiredMark={false}>
            <Form.Item name="code" label={t('login.code')} rules={[{ required: true, message: t('login.codeRequired') }]}>
              <Input autoComplete="one-time-code" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block>{t('setup.confirmCode')}</Button>
          </Form>
        </>
      )}
    </>
  );
}
