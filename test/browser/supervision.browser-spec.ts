import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO_ROUND_ID } from '../../apps/api/src/demo/index.js';
import { DESKTOP, screenshot, signInAs, startBrowserApp, type BrowserApp } from './browser-app.js';

/** A minimal PDF, recognised by content (docs/api.md "Evidence files"). */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/**
 * 佐证材料 uploaded from the liaison's progress form and linked on the finding; a 督办 issued by the office,
 * downloaded as a DOCX; the 红牌清单 page. Real app, demo tour, Chromium.
 */
describe('evidence files and 督办 in the dashboard (Chromium)', () => {
  let app: BrowserApp;
  let findingId: string;
  let dir: string;

  beforeAll(async () => {
    app = await startBrowserApp();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-browser-evidence-'));
    const liaison = await app.api('liaison.minzheng');
    const open = (await liaison.get(`/findings?roundId=${DEMO_ROUND_ID}&status=in_progress`)).items as Array<{
      findingId: string;
    }>;
    expect(open.length).toBeGreaterThan(0);
    findingId = open[0].findingId;
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('lets a liaison upload a PDF and a wrong file in the progress form, and cites the PDF', async () => {
    const { page } = await app.newPage(DESKTOP);
    await signInAs(page, 'liaison.minzheng');
    await page.goto(`/findings/${findingId}`);
    const form = page.locator('form[data-action="progress"]');
    await form.waitFor();
    const pdf = path.join(dir, '入户复核台账.pdf');
    const fake = path.join(dir, '伪装的文件.pdf');
    await fs.writeFile(pdf, PDF);
    await fs.writeFile(fake, '这不是 PDF');
    await form.locator('input[type="file"]').setInputFiles([pdf, fake]);
    await form.locator('[data-testid="uploaded"] li').first().waitFor();
    expect(await form.locator('[data-testid="uploaded"] li').count()).toBe(1);
    expect(await form.locator('[data-testid="uploaded"]').innerText()).toContain('入户复核台账.pdf');
    const refused = await form.locator('.field-error[data-field="files"]').innerText();
    expect(refused).toContain('伪装的文件.pdf');
    expect(refused).toContain('PDF、OFD、JPEG、PNG、DOCX 或 XLSX');

    await form.getByLabel('进展情况').fill('已完成入户复核，台账见附件。');
    await form.getByLabel('完成进度（%）').fill('70');
    await form.getByRole('button', { name: '报告进展' }).click();
    await page.getByText('已提交「报告整改进展」').waitFor();
    const evidence = page.locator('[data-testid="evidence"]');
    await evidence.getByText('入户复核台账.pdf').waitFor();
    const download = page.waitForEvent('download');
    await evidence.getByRole('link', { name: '入户复核台账.pdf' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('入户复核台账.pdf');
    expect(await fs.readFile(await saved.path())).toEqual(PDF);
    await screenshot(page, 'liaison-evidence-uploaded');
    expect(app.pageErrors.filter((e) => !e.includes('415'))).toEqual([]);
  });

  it('lets an official issue a 督办通知书 and download it; the liaison sees it too', async () => {
    const { page } = await app.newPage(DESKTOP);
    await signInAs(page, 'official');
    await page.goto(`/findings/${findingId}`);
    const form = page.locator('form[data-action="supervise"]');
    await form.waitFor();
    await form.getByLabel('督办通知书').check();
    await form.getByLabel('督办内容').fill('请你单位于限期内报送整改落实情况。');
    await form.getByLabel('限期回复日期').fill('2099-12-31');
    await form.getByRole('button', { name: '发出督办' }).click();
    await page.getByText('已提交「督办」').waitFor();
    const notices = page.locator('[data-testid="notices"]');
    await notices.getByText('督办通知书').waitFor();
    const download = page.waitForEvent('download');
    await notices.getByRole('link', { name: '下载文书' }).first().click();
    const saved = await download;
    expect(saved.suggestedFilename()).toMatch(/^督办通知书-第\d+号\.docx$/);
    const bytes = await fs.readFile(await saved.path());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    await screenshot(page, 'official-notice-issued');

    const liaison: Page = (await app.newPage(DESKTOP)).page;
    await signInAs(liaison, 'liaison.minzheng');
    await liaison.goto(`/findings/${findingId}`);
    await liaison.locator('[data-testid="notices"]').getByText('督办通知书').waitFor();
    expect(await liaison.locator('[data-testid="notices"] a').count()).toBeGreaterThan(0);
  });

  it('shows the official the 红牌清单 with days overdue and notices', async () => {
    const { page } = await app.newPage(DESKTOP);
    await signInAs(page, 'official');
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '红牌清单' }).click();
    await page.waitForURL(/\/red-list/);
    const rows = page.locator('[data-testid="red-findings"] tbody tr[data-finding]');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await rows.first().locator('td[data-label="超期天数"]').innerText()).toMatch(/超期 [\d,]+ 天/);
    await screenshot(page, 'official-red-list');
  });
});
