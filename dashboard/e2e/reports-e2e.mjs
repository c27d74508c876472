#!/usr/bin/env node
// Browser check of the Reports page against a running server (harness.mjs; run by the server's
// ReportsBrowserTest): run a CSV report and preview it, create a schedule, run it now (mail to
// the test's SMTP server), delete it; screenshots of both tabs in each language.
import { e2e } from './harness.mjs';

const LANGS = [
  { lang: 'en', logout: 'Log out', history: 'Generated reports', schedules: 'Schedules' },
  { lang: 'zh-CN', logout: '退出登录', history: '已生成的报告', schedules: '计划' },
  { lang: 'ja-JP', logout: 'ログアウト', history: '作成済みレポート', schedules: 'スケジュール' },
];

await e2e('reports', {}, async (h) => {
    const { page } = h;
    const testId = (id) => h.testId(id);
    const log = (...a) => h.log(...a);
    const pollUntil = (what, _ms, probe) => h.pollUntil(what, probe);
    const switchLanguage = (_page, lang, expectText) => h.switchLanguage(lang, expectText);
    const shot = (_page, file) => h.shot(file);
    const WAIT_MS = h.waitMs;
    await h.login();

    log('run a report from the form and preview it');
    await testId('nav-reports').click();
    await testId('reports-title').waitFor({ state: 'visible', timeout: WAIT_MS });
    await testId('report-new').click();
    await testId('report-period').fill('6h');
    await testId('report-run').click();
    await testId('report-preview').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.getByText('Utilization per node', { exact: true }).first().waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.keyboard.press('Escape');
    const rows = await pollUntil('the report listed', WAIT_MS, async () => {
      const n = await page.locator('[data-testid^="report-row-"]').count();
      return { ok: n >= 1, seen: n };
    });
    log('reports listed', rows.seen);

    log('create a schedule, run it now, delete it');
    await testId('reports-tab-schedules').click();
    await testId('schedule-new').click();
    await testId('schedule-name').fill('e2e weekly');
    await testId('schedule-zone').fill('Asia/Shanghai');
    await testId('schedule-recipients').fill('e2e@example.org zh-CN');
    await testId('schedule-save').click();
    const row = page.locator('[data-testid^="schedule-row-"]').filter({ hasText: 'e2e weekly' });
    await row.waitFor({ state: 'visible', timeout: WAIT_MS });
    await row.locator('[data-testid^="schedule-run-"]').click();
    await page.getByText('Sent to 1 recipients').waitFor({ state: 'visible', timeout: WAIT_MS });

    for (const { lang, logout, history, schedules } of LANGS) {
      await switchLanguage(page, lang, logout);
      await page.getByText(schedules, { exact: true }).first().waitFor({ state: 'visible', timeout: WAIT_MS });
      await shot(page, `reports-schedules-${lang}`, log);
      await page.getByText(history, { exact: true }).first().click();
      await page.locator('[data-testid^="report-row-"]').first().waitFor({ state: 'visible', timeout: WAIT_MS });
      await shot(page, `reports-history-${lang}`, log);
      await page.getByText(schedules, { exact: true }).first().click();
    }
    await switchLanguage(page, 'en', 'Log out');
    await row.locator('[data-testid^="schedule-delete-"]').click();
    await page.locator('.ant-popconfirm').getByText('Delete', { exact: true }).click();
    await row.waitFor({ state: 'detached', timeout: WAIT_MS });
});
