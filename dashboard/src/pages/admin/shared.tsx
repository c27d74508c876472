import { Alert, App, Button, Modal, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EffectiveView } from '../../api/admin';

/** Loads data once and on reload(); error is the server's message. */
export function useLoad<T>(load: () => Promise<T>): { data: T | null; error: string | null; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e: Error) => live && setState((s) => ({ data: s.data, error: e.message, loading: false })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/** Runs an action, then reloads; a failure is shown as a message with the server's reason. */
export function useAction(reload: () => void): (what: () => Promise<unknown>) => Promise<void> {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return async (what) => {
    try {
      await what();
      reload();
    } catch (e) {
      void message.error(t('admin.common.failed', { reason: (e as Error).message }));
    }
  };
}

/**
 * A secret shown once (an API key, an enrollment token): a warning, the text with a copy button,
 * and one button that closes it for good. `testId` prefixes `-secret` and `-done`.
 */
export function SecretOnceModal({ shown, title, warning, testId, onDone }: { shown: string | null; title: string; warning: string; testId: string; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      open={shown !== null}
      title={title}
      closable={false}
      maskClosable={false}
      destroyOnHidden
      footer={<Button type="primary" data-testid={`${testId}-done`} onClick={onDone}>{t('admin.apikeys.done')}</Button>}
    >
      <Alert type="warning" showIcon title={warning} style={{ marginBottom: 12 }} />
      <Typography.Paragraph copyable={{ text: shown ?? '' }} style={{ fontFamily: 'monospace', wordBreak: 'break-all', fontSize: 15 }}>
        <span data-testid={`${testId}-secret`}>{shown}</span>
      </Typography.Paragraph>
    </Modal>
  );
}

export function formatTime(ms: number | null | undefined, never: string): string {
  return ms ? new Date(ms).toLocaleString() : never;
}

/** An effective permission set: each permission with where it comes from. */
export function EffectiveTable({ view, testId }: { view: EffectiveView; testId?: string }) {
  const { t } = useTranslation();
  const rows = [
    ...view.grants.map((g) => ({ key: `g:${g.permission}:${g.from}`, kind: 'grant' as const, ...g })),
    ...view.denies.map((d) => ({ key: `d:${d.permission}:${d.from}`, kind: 'deny' as const, ...d })),
  ];
  return (
    <Table
      data-testid={testId}
      size="small"
      pagination={false}
      rowKey="key"
      dataSource={rows}
      columns={[
        { title: t('admin.roles.permission'), dataIndex: 'permission', render: (p: string) => <code>{p}</code> },
        {
          title: '',
          dataIndex: 'kind',
          width: 100,
          render: (k: string) => (k === 'grant' ? <Tag color="green">{t('admin.roles.granted')}</Tag> : <Tag color="red">{t('admin.roles.denied')}</Tag>),
        },
        { title: t('admin.roles.from'), dataIndex: 'from' },
      ]}
    />
  );
}
