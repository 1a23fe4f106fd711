import type { Page } from 'playwright-core';
import { DEMO_ROUND_ID } from '../../apps/api/src/demo/index.js';
import { ADMIN_PASSWORD } from '../support/test-app.js';
import {
  cardValue,
  DESKTOP,
  eventually,
  PHONE,
  screenshot,
  signInAs,
  startBrowserApp,
  type BrowserApp,
} from './browser-app.js';

/**
 * What each role is offered: a unit liaison sees their own department only and acts on its
 * rectifications, an auditor reads without any action and with names redacted, and the pages
 * work 375 px wide. Real app, demo tour, Chromium.
 */
describe('the dashboard by role (Chromium)', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
  }, 180_000);

  afterAll(async () => {
    await app?.close();
  });

  const navLinks = (page: Page) => page.getByRole('navigation', { name: '主导航' }).getByRole('link').allInnerTexts();
  const noHorizontalScroll = (page: Page) =>
    page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

  describe('a unit liaison (区民政局)', () => {
    let page: Page;

    beforeAll(async () => {
      ({ page } = await app.newPage(DESKTOP));
      await signInAs(page, 'liaison.minzheng');
    });

    it('sees only their own department: one row, no overview, no other units to choose', async () => {
      await page.waitForURL(/\/unit/);
      await eventually(
        () => page.getByRole('heading', { level: 1 }).innerText(),
        (h) => h === '本单位整改 · 区民政局',
        5000,
        'heading',
      );
      const rows = page.locator('[data-testid="department-table"] tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(1);
      expect(await rows.first().getAttribute('data-department')).toBe('区民政局');
      expect(await navLinks(page)).toEqual(['本单位整改', '问题清单']);
      await screenshot(page, 'liaison-unit-1366');

      await page.getByRole('link', { name: '问题清单', exact: true }).first().click();
      await page.waitForURL(/\/findings/);
      await page.locator('[data-testid="findings-table"] tbody tr').first().waitFor();
      expect(await page.locator('#f-department').count()).toBe(0);
      const units = await page.locator('[data-testid="findings-table"] td[data-label="责任单位"]').allInnerTexts();
      expect(units.length).toBeGreaterThan(0);
      expect(new Set(units)).toEqual(new Set(['区民政局']));
      await screenshot(page, 'liaison-findings-1366');

      await page.goto('/overview');
      await page.getByRole('heading', { name: '无权访问' }).waitFor();
      expect(await page.locator('[data-testid="card-fields"]').count()).toBe(0);
    });

    it("reports progress on one of its rectifications, with the API's field errors beside the fields", async () => {
      const liaison = await app.api('liaison.minzheng');
      const open = (await liaison.get(`/findings?roundId=${DEMO_ROUND_ID}&status=in_progress`)).items as Array<{
        findingId: string;
      }>;
      expect(open.length).toBeGreaterThan(0);
      await page.goto(`/findings/${open[0].findingId}`);
      const form = page.locator('form[data-action="progress"]');
      await form.waitFor();
      // A liaison neither verifies nor sees the audit timeline.
      expect(await page.locator('form[data-action="verify"], form[data-action="reopen"]').count()).toBe(0);
      expect(await page.getByText('事件时间线仅巡察办和审计人员可查看').count()).toBe(1);

      await form.getByLabel('完成进度（%）').fill('');
      await form.getByRole('button', { name: '报告进展' }).click();
      await form.locator('.field-error[data-field="note"]').waitFor();
      expect(await form.locator('.field-error[data-field="note"]').innerText()).toContain('必填');
      expect(await form.locator('.field-error[data-field="percent"]').count()).toBe(1);
      await screenshot(page, 'liaison-progress-field-errors');

      await form.getByLabel('进展情况').fill('已完成 120 户低保对象入户复核，清退不符合条件对象 6 户。');
      await form.getByLabel('完成进度（%）').fill('60');
      await form.getByRole('button', { name: '报告进展' }).click();
      await page.getByText('已提交「报告整改进展」').waitFor();
      expect(await page.locator('.field-error').count()).toBe(0);
    });

    it('works 375 px wide', async () => {
      const { page: phone } = await app.newPage(PHONE);
      await signInAs(phone, 'liaison.minzheng');
      await phone.locator('[data-testid="department-table"] tbody tr').first().waitFor();
      expect(await noHorizontalScroll(phone)).toBe(true);
      await screenshot(phone, 'liaison-unit-375');
      await phone.getByRole('link', { name: '问题清单', exact: true }).first().click();
      await phone.locator('[data-testid="findings-table"] tbody tr').first().waitFor();
      expect(await noHorizontalScroll(phone)).toBe(true);
      await screenshot(phone, 'liaison-findings-375');
      await phone.locator('[data-testid="findings-table"] tbody tr th a').first().click();
      await phone.getByTestId('finding-facts').waitFor();
      await phone.locator('form[data-action]').first().waitFor();
      expect(await noHorizontalScroll(phone)).toBe(true);
      await screenshot(phone, 'liaison-finding-375');
    });

    it('signs out: the token is gone and pages ask to sign in again', async () => {
      await page.getByRole('button', { name: '退出登录' }).click();
      await page.waitForURL(/\/login/);
      expect(await page.evaluate("sessionStorage.getItem('xuncha.session')")).toBeNull();
      await page.goto('/unit');
      await page.waitForURL(/\/login\?next=%2Funit/);
      expect(await page.getByLabel('用户名').isVisible()).toBe(true);
      await screenshot(page, 'signed-out-login-1366', false);
    });
  });

  describe('an auditor', () => {
    let page: Page;

    beforeAll(async () => {
      ({ page } = await app.newPage(DESKTOP));
      await signInAs(page, 'auditor');
    });

    it('reads the overview and a finding with its timeline, and is offered no action', async () => {
      await page.waitForURL(/\/overview/);
      await page.locator('[data-testid="card-fields"]').waitFor();
      expect(await cardValue(page, 'card-fields')).toBe('9');
      expect(await navLinks(page)).toEqual(['总览', '问题清单', '问题线索', '红牌清单']);

      const official = await app.api('official');
      const pending = (await official.get(`/findings?roundId=${DEMO_ROUND_ID}&status=pending_verification`))
        .items as Array<{ findingId: string }>;
      await page.goto(`/findings/${pending[0].findingId}`);
      await page.locator('[data-testid="timeline"] > li').first().waitFor();
      expect(await page.getByTestId('actions').count()).toBe(0);
      expect(await page.locator('main form[data-action]').count()).toBe(0);
      await screenshot(page, 'auditor-finding-no-actions');
    });

    it('sees the names of the people a lead concerns redacted', async () => {
      const auditor = await app.api('auditor');
      const leads = (await auditor.get(`/leads?roundId=${DEMO_ROUND_ID}&pageSize=100`)).items as Array<{
        leadId: string;
        summary: string;
        subjectCount: number;
      }>;
      const lead = leads.find((l) => l.subjectCount > 0)!;
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '问题线索' }).click();
      await page.waitForURL(/\/leads/);
      await page.locator('[data-testid="leads-table"] tbody tr').first().waitFor();
      await page.goto(`/leads/${lead.leadId}`);
      const subjects = page.getByTestId('subjects');
      await subjects.waitFor();
      const text = await subjects.innerText();
      expect(text).toContain('［已隐去］');
      expect(text).toContain('已隐去');
      await eventually(
        () => page.locator('[data-testid="timeline"] > li').count(),
        (n) => n > 0,
        5000,
        'lead timeline',
      );
      expect(await page.getByTestId('actions').count()).toBe(0);
      await screenshot(page, 'auditor-lead-redacted');
    });
  });

  it('shows an official the overview 375 px wide without horizontal scrolling', async () => {
    const { page } = await app.newPage(PHONE);
    await signInAs(page, 'official');
    await page.locator('[data-testid="card-fields"]').waitFor();
    await page.locator('.chart-canvas canvas').first().waitFor();
    expect(await cardValue(page, 'card-points')).toBe('43');
    expect(await noHorizontalScroll(page)).toBe(true);
    await screenshot(page, 'official-overview-375');
  });

  describe('accounts: the admin’s 用户管理 and a required new password', () => {
    it('lets the admin reset a password, with the field error beside the field, and the user must choose a new one', async () => {
      const { page } = await app.newPage(DESKTOP);
      await signInAs(page, 'admin', ADMIN_PASSWORD);
      await page.waitForURL(/\/users$/);
      const row = page.locator('[data-testid="users"] tr[data-username="inspector.wang"]');
      await row.waitFor();
      expect(await row.innerText()).toContain('正常');
      await row.getByRole('button', { name: '重置密码' }).click();
      const form = page.locator('form[id^="password-"]');
      const input = form.getByLabel(/^新密码/);
      await input.fill('short');
      await form.getByRole('button', { name: '重置密码' }).click();
      const error = page.locator('.field-error[data-field="newPassword"]');
      await error.waitFor();
      expect(await error.innerText()).toBe('密码长度应为 8–200 位');
      await input.fill('reset-by-admin-1');
      await form.getByRole('button', { name: '重置密码' }).click();
      await page.getByRole('status').filter({ hasText: '已重置 inspector.wang 的密码' }).waitFor();
      await eventually(
        () => row.innerText(),
        (text) => text.includes('待设置密码'),
        5000,
        'status 待设置密码',
      );
      await screenshot(page, 'admin-users');

      const other = (await app.newPage(DESKTOP)).page;
      await other.goto('/');
      await other.waitForURL(/\/login/);
      await other.getByLabel('用户名').fill('inspector.wang');
      await other.getByLabel('密码').fill('reset-by-admin-1');
      await other.getByRole('button', { name: '登录' }).click();
      await other.getByRole('heading', { name: '设置新密码' }).waitFor();
      await other.getByLabel(/^新密码/).fill('wang-own-password');
      await other.getByLabel('再次输入新密码').fill('wang-own-passwrd');
      await other.getByRole('button', { name: '保存并登录' }).click();
      expect(await other.locator('.field-error[data-field="confirm"]').innerText()).toBe('两次输入的新密码不一致');
      await other.getByLabel('再次输入新密码').fill('wang-own-password');
      await other.getByRole('button', { name: '保存并登录' }).click();
      // An inspector starts at the team's workspace.
      await other.waitForURL(/\/workspace/);
      expect(await other.getByTestId('who').innerText()).toContain('inspector.wang');
      // Closed before the account is disabled: the workspace's next request would rightly be refused (401), and the
      // browser logs every refused request as an error, which the last test counts.
      await other.close();

      // 停用 then 启用 from the list; the API refuses the user's sign-in meanwhile.
      await row.getByRole('button', { name: '停用' }).click();
      await eventually(
        () => row.innerText(),
        (text) => text.includes('已停用'),
        5000,
        'status 已停用',
      );
      const refused = await fetch(`${app.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'inspector.wang', password: 'wang-own-password' }),
      });
      expect(refused.status).toBe(401);
      await row.getByRole('button', { name: '启用' }).click();
      await eventually(
        () => row.innerText(),
        (text) => text.includes('正常'),
        5000,
        'status 正常',
      );
    });
  });

  it('raised no script error and logged no error in any page', () => {
    expect(app.pageErrors).toEqual([]);
  });
});
