/**
 * Letters as PDF: `recourse letters render` writes an A4 letter whose extracted text holds the Chinese
 * customer name, the letterhead and every item of a CN collection letter (CN-07); the dispatcher puts
 * letters into the day's print batch and `recourse letters batch` renders them into one print file.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { pdfPages, squeeze } from '../support/pdf-text.ts';
import { loadMessagingPortfolio } from '../fixtures/messaging-portfolio.ts';
import { enqueueMessages, LETTER_SLOTS, getMessage, type RenderedMessage } from '../../src/modules/communications/index.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
const dir = mkdtempSync(join(tmpdir(), 'recourse-letters-'));

beforeAll(async () => {
  rt = await createTestRuntime();
  await loadMessagingPortfolio(rt);
});
afterAll(async () => {
  await rt?.close();
});

describe('letters', () => {
  it('recourse letters render: A4, letterhead, the Chinese name and every Art. 69 item in the text', async () => {
    const out = join(dir, 'letter.pdf');
    const r = await runCli(rt, ['letters', 'render', '--account', '6222020000001234', '--template', 'cn-collection-letter', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const pdf = readFileSync(out);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/); // A4
    expect(pdf.toString('latin1')).toMatch(/NotoSansSC/); // the CJK font, embedded (subset)
    const text = squeeze((await pdfPages(pdf)).join(''));
    expect(text).toContain('张伟');
    expect(text).toContain('信用卡欠款催收函');
    expect(text).toContain('示范银行信用卡中心'); // letterhead
    expect(text).toContain(squeeze('北京市朝阳区建国路88号3单元501室')); // recipient block
    // Every required item, as rendered for this account, is in the printed text.
    const preview = await runCli(rt, ['template', 'preview', 'cn-collection-letter', '--account', '6222020000001234', '--json']);
    const rendered = preview.json().rendered as RenderedMessage;
    for (const slot of LETTER_SLOTS) {
      expect(rendered.slots[slot], slot).toBeTruthy();
      expect(text, slot).toContain(squeeze(rendered.slots[slot]!));
    }
    expect(text).toContain('欠款总额18,560.00元');
    expect(text).toContain(squeeze('官方核实热线：95500'));
    expect(text).toContain(squeeze('本函真伪请通过官方热线 95500')); // footer
  });

  it('in English with --lang en', async () => {
    const out = join(dir, 'letter-en.pdf');
    expect((await runCli(rt, ['letters', 'render', '--account', '6222020000001234', '--template', 'cn-collection-letter', '--lang', 'en', '--out', out])).code).toBe(0);
    const text = squeeze((await pdfPages(readFileSync(out))).join(''));
    expect(text).toContain(squeeze('Dear 张伟,'));
    expect(text).toContain(squeeze('2. Why we are writing and on what legal basis'));
    expect(text).toContain(squeeze('Balance owed CNY 18,560.00'));
  });

  it('refuses a template that is not a letter, and an unknown account', async () => {
    expect((await runCli(rt, ['letters', 'render', '--account', '6222020000001234', '--template', 'cn-sms-reminder-firm', '--out', join(dir, 'x.pdf')])).code).toBe(2);
    expect((await runCli(rt, ['letters', 'render', '--account', 'nope', '--template', 'cn-collection-letter', '--out', join(dir, 'x.pdf')])).code).toBe(3);
  });

  it('the dispatcher puts letters into the day\'s print batch; letters batch renders one print file', async () => {
    await enqueueMessages(rt.pool, [
      { idempotencyKey: 'l1', customerId: 'C1', accountId: '6222020000001234', channel: 'letter', templateId: 'cn-collection-letter', notBefore: rt.clock.now(), origin: 'cli' },
      { idempotencyKey: 'l2', customerId: 'C2', accountId: '6222020000005678', channel: 'letter', templateId: 'cn-collection-letter', notBefore: rt.clock.now(), origin: 'cli' },
    ]);
    const d = await runCli(rt, ['outbox', 'dispatch', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.json()).toMatchObject({ sent: 2 });
    const { rows } = await rt.pool.query(`select message_id::int as id from outbox_messages where channel = 'letter' order by 1`);
    for (const { id } of rows) expect(await getMessage(rt.pool, id)).toMatchObject({ status: 'sent', provider: 'print', printBatch: '2026-06-30' });
    const ledger = (await rt.pool.query(`select channel, outcome, actor from contact_attempts where channel = 'letter'`)).rows;
    expect(ledger).toEqual([{ channel: 'letter', outcome: 'sent', actor: 'bank' }, { channel: 'letter', outcome: 'sent', actor: 'bank' }]);

    const out = join(dir, 'batch.pdf');
    const b = await runCli(rt, ['letters', 'batch', '--date', '2026-06-30', '--out', out, '--json'], { env: { RECOURSE_OPERATOR: 'print-room' } });
    expect(b.code, b.stderr).toBe(0);
    expect(b.json()).toMatchObject({ letters: 2 });
    const pages = await pdfPages(readFileSync(out));
    const all = squeeze(pages.join(''));
    expect(all).toContain('张伟');
    expect(all).toContain(squeeze('Dear Alex Smith,')); // C2's language is English
    expect(all.indexOf('张伟')).toBeLessThan(all.indexOf('AlexSmith')); // message order
    expect(all).toContain(`L20260630-${rows[0].id}`);
    const batch = (await rt.pool.query('select letters, file_sha256, rendered_by from letter_print_batches')).rows;
    expect(batch).toEqual([{ letters: 2, file_sha256: b.json().sha256, rendered_by: 'print-room' }]);
    expect((await runCli(rt, ['letters', 'batch', '--date', '2026-07-01', '--out', join(dir, 'none.pdf')])).code).toBe(2);
  });
});
