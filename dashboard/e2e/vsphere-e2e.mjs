#!/usr/bin/env node
// Browser check of the vSphere pages against a running server and govmomi's vCenter simulator
// (run by the server's VsphereBrowserTest; launch, login, screenshots in harness.mjs).
//
// Environment (besides harness.mjs's): VCSIM_URL, VCSIM_USER, VCSIM_PASSWORD, VCSIM_SHA256 (the
// simulator and its certificate), VC_NAME (the connection's name), and what the simulator holds:
// DATACENTERS, CLUSTERS, HOSTS, VMS (totals), VM_NAME and VM_ID (one VM to open, its node id), VM_IDS (its VMs' node ids).
// Screenshots: vsphere-connections-en.png, vsphere-inventory-<lang>.png, vsphere-vm-detail.png,
// vsphere-dashboard-cluster.png (a dashboard made from the built-in "VMware cluster").
import { e2e } from './harness.mjs';

const env = process.env;
const N = (k) => Number(env[k]);

await e2e('vsphere', { required: ['VCSIM_URL', 'VCSIM_USER', 'VCSIM_PASSWORD', 'VCSIM_SHA256', 'VC_NAME', 'HOSTS', 'VMS', 'VM_NAME', 'VM_ID', 'VM_IDS'] }, async (h) => {
  const { page } = h;
  const vc = env.VC_NAME;
  const vmIds = env.VM_IDS.split(',');
  const t0 = Date.now();
  const log = (...a) => h.log(`+${((Date.now() - t0) / 1000).toFixed(1)}s`, ...a);
  await h.login();

  log('connections: add the simulator through the form, test it, save it');
  await page.goto(`${env.BASE_URL}#/vsphere/connections`);
  await h.visible(h.testId('vsphere-connections'));
  await h.testId('vcenter-add').click();
  const form = h.testId('vcenter-form');
  await h.visible(form);
  await form.locator('#name').fill(vc);
  await form.locator('#url').fill(env.VCSIM_URL);
  await form.locator('#user').fill(env.VCSIM_USER);
  await form.locator('#password').fill(env.VCSIM_PASSWORD);
  await form.locator('#pinnedSha256').fill(env.VCSIM_SHA256);
  await h.testId('vcenter-test').click();
  const result = h.testId('vcenter-test-result');
  await h.visible(result);
  const tested = await result.innerText();
  if (!/Connected|OK|VMware/i.test(tested)) throw new Error(`test connection: "${tested}" (expected: a success naming the product)`);
  await h.testId('vcenter-save').click();
  await form.waitFor({ state: 'hidden', timeout: h.waitMs });

  const objects = `${N('HOSTS')} hosts, ${N('VMS')} VMs`;
  await h.pollUntil(`${vc} in state OK with ${objects}`, async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    const state = await h.testId(`vcenter-state-${vc}`).innerText().catch(() => '');
    const row = await page.locator('tr', { has: h.testId(`vcenter-state-${vc}`) }).innerText().catch(() => '');
    return { ok: state === 'OK' && row.includes(objects), seen: { state, row } };
  });
  await h.shot('vsphere-connections-en');

  log('inventory: vCenter > datacenter > cluster > host > VM, with counts');
  await page.goto(`${env.BASE_URL}#/vsphere/inventory`);
  await h.visible(h.testId('vsphere-inventory'));
  const count = (kind) => page.locator(`[data-testid="vsphere-node-${kind}"]`).count();
  await h.pollUntil('the vCenter and its datacenters drawn', async () => {
    const seen = { vcenter: await count('vcenter'), datacenter: await count('datacenter'), cluster: await count('cluster') };
    return { ok: seen.vcenter === 1 && seen.datacenter === N('DATACENTERS') && seen.cluster === N('CLUSTERS'), seen };
  });
  const vcRow = await page.locator('[data-testid="vsphere-node-vcenter"]').innerText();
  if (!vcRow.includes(vc) || !vcRow.includes(objects)) throw new Error(`vCenter row "${vcRow}" (expected: ${vc}, ${objects})`);
  const health = await page.locator('[data-testid="vsphere-node-vcenter"]').getAttribute('data-health');
  if (health !== 'ok') throw new Error(`vCenter health ${health} (expected: ok)`);
  // A search keeps the branch down to the VM and opens it.
  await h.testId('vsphere-tree-search').locator('input').fill(env.VM_NAME);
  await h.testId('vsphere-tree-search').locator('input').press('Enter');
  await h.pollUntil(`the branch down to ${env.VM_NAME}`, async () => {
    const seen = {};
    for (const k of ['vcenter', 'datacenter', 'cluster', 'esxi', 'vm']) seen[k] = await count(k);
    const vmText = seen.vm === 1 ? await page.locator('[data-testid="vsphere-node-vm"]').innerText() : '';
    return { ok: Object.values(seen).every((n) => n === 1) && vmText.includes(env.VM_NAME), seen: { ...seen, vmText } };
  });
  const vmHealth = await page.locator('[data-testid="vsphere-node-vm"]').getAttribute('data-health');
  if (vmHealth !== 'ok') throw new Error(`VM health ${vmHealth} (expected: ok, powered on)`);

  for (const { lang, logout, tab, counts } of [
    { lang: 'zh-CN', logout: '退出登录', tab: '资源清单', counts: `${N('HOSTS')} 台主机，${N('VMS')} 台虚拟机` },
    { lang: 'ja-JP', logout: 'ログアウト', tab: 'インベントリ', counts: `ホスト ${N('HOSTS')} 台、仮想マシン ${N('VMS')} 台` },
  ]) {
    await h.switchLanguage(lang, logout);
    await page.getByRole('tab', { name: tab }).waitFor({ state: 'visible', timeout: h.waitMs });
    await h.testId('vsphere-tree-search').locator('input').fill('');
    await h.testId('vsphere-tree-search').locator('input').press('Enter');
    await h.pollUntil(`${lang}: vCenter row with "${counts}"`, async () => {
      const text = await page.locator('[data-testid="vsphere-node-vcenter"]').innerText().catch(() => '');
      return { ok: text.includes(counts), seen: text };
    });
    await h.shot(`vsphere-inventory-${lang}`);
  }
  await h.switchLanguage('en', 'Log out');

  log('flat list: the node list filtered to VMs shows every simulator VM');
  await page.goto(`${env.BASE_URL}#/nodes`);
  await h.visible(h.testId('node-list'));
  await h.testId('filter-kind').click();
  await page.locator('.ant-select-item-option', { hasText: /^VM$/ }).click();
  await page.keyboard.press('Escape');
  await h.pollUntil(`${vmIds.length} VM rows`, async () => {
    const rows = await page.$$eval('[data-testid^="node-row-"]', (els) => els.map((e) => e.getAttribute('data-testid').slice('node-row-'.length)).sort());
    const summary = await h.testId('nodes-summary').innerText().catch(() => '');
    return { ok: rows.length === vmIds.length && vmIds.every((id) => rows.includes(id)) && summary.includes(String(vmIds.length)), seen: { rows, summary } };
  });

  log('VM detail: open the VM from the tree; its charts have points');
  await page.goto(`${env.BASE_URL}#/vsphere/inventory`);
  await h.testId('vsphere-tree-search').locator('input').fill(env.VM_NAME);
  await h.testId('vsphere-tree-search').locator('input').press('Enter');
  await page.locator('[data-testid="vsphere-node-vm"] a', { hasText: env.VM_NAME }).click();
  // The node page is the one agent nodes use: its title is the node id (vm:<vcenter>:<instance uuid>)
  // until the live feed's snapshot of the node arrives, then the VM's name with the id beside it.
  await h.pollUntil(`node page of ${env.VM_ID}`, async () => {
    const hash = decodeURIComponent(await page.evaluate(() => window.location.hash));
    const title = await h.testId('node-title').innerText().catch(() => '');
    const idShown = title === env.VM_ID || (title === env.VM_NAME && await page.getByText(env.VM_ID, { exact: true }).count() > 0);
    return { ok: hash === `#/nodes/${env.VM_ID}` && idShown, seen: { hash, title } };
  });
  await h.visible(h.testId('chart-network'));
  await h.pollUntil('CPU and memory charts with points', async () => {
    const seen = {};
    for (const c of ['chart-cpu', 'chart-memory']) seen[c] = Number(await h.testId(c).getAttribute('data-points').catch(() => '0'));
    return { ok: Object.values(seen).every((n) => n > 0), seen };
  });
  await h.shot('vsphere-vm-detail');

  log('dashboard: "VMware cluster" from the built-in templates draws the simulator in every panel');
  await page.goto(`${env.BASE_URL}#/dashboards`);
  await h.testId('dashboard-template').click();
  await page.locator('.ant-dropdown-menu-item:visible', { hasText: 'VMware cluster' }).click();
  await h.pollUntil('the new dashboard "VMware cluster"', async () => {
    const title = await h.testId('dashboard-title').innerText().catch(() => '');
    return { ok: title === 'VMware cluster', seen: title };
  });
  await h.visible(h.testId('variable-cluster'));
  await h.pollUntil(`every panel with data, ${N('VMS')} VMs and ${N('HOSTS')} hosts reporting`, async () => {
    const panels = await page.$$eval('[data-testid^="panel-body-"]', (els) => els.map((e) => `${e.getAttribute('data-testid').slice('panel-body-'.length)}:${e.getAttribute('data-state')}:${e.getAttribute('data-series')}`));
    const failed = panels.filter((p) => p.includes(':error:'));
    if (failed.length) {
      const errors = await page.locator('[data-testid="panel-error"]').allInnerTexts();
      throw new Error(`panels failed: ${failed.join(', ')}: ${errors.join(' | ')}`);
    }
    const stat = (id) => h.testId(`panel-body-${id}`).locator('[data-testid="panel-stat"]').innerText().catch(() => '');
    const seen = { panels, vms: await stat('vms'), hosts: await stat('hosts') };
    const ok = panels.length === 10 && panels.every((p) => /:loaded:[1-9]/.test(p))
      && seen.vms === String(N('VMS')) && seen.hosts === String(N('HOSTS'));
    return { ok, seen };
  });
  await h.shot('vsphere-dashboard-cluster');
});
