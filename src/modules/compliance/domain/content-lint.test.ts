import { beforeAll, describe, expect, it } from 'vitest';
import { shippedPackSet, type PackSet } from '../pack-loader.service.ts';
import { lintContent } from './content-lint.ts';
import { recogniseOptOutReply } from './opt-out-reply.ts';
import type { ContactContent } from './snapshot.ts';

let packs: PackSet;
beforeAll(async () => {
  packs = await shippedPackSet();
});
const note = (text: string): ContactContent => ({ text, templateId: null, purpose: 'service', slots: null, firstCommunication: false });
const lint = (packId: string, text: string, party: 'debtor' | 'contact' = 'debtor') =>
  lintContent(packs.select(packId, Date.parse('2026-06-30T00:00:00Z'))!, { content: note(text), channel: 'voice_agent', party }).map((f) => f.category ?? f.code);

describe('lintContent (collector notes and templates use it too)', () => {
  it.each([
    ['你这个老赖，再不还钱让你好看', ['threat', 'insult']],
    ['我们是公安局的，你已被立案', ['impersonation']],
    ['黑 名 单', ['fake_blacklist']],
    ['我们会爆你通讯录', ['third_party_disclosure']],
    ['可以去借网贷先还上', ['borrow_pressure']],
    ['ＰＡＹ ＯＲ ＥＬＳＥ', ['threat']],
    ['We will call your employer about this', ['third_party_disclosure']],
    ['You deadbeat, you will be arrested', ['threat', 'insult']],
    ['This is the police department calling', ['impersonation']],
    ['您好，请致电我行客服热线 95555 了解详情。', []],
    ['Please call us at your convenience.', []],
  ])('%s → %o', (text, categories) => {
    expect(lint('cn', text).sort()).toEqual([...categories].sort());
  });
  it('debt details are restricted only for third parties', () => {
    expect(lint('cn', '他欠款5000元已逾期', 'contact')).toEqual(['debt_detail']);
    expect(lint('cn', '您欠款5000元已逾期', 'debtor')).toEqual([]);
  });
});

describe('recogniseOptOutReply (inbound SMS)', () => {
  it.each([
    ['退订', true], ['TD', true], ['td', true], ['ＴＤ', true], [' T ', true], ['STOP', true], ['stop.', true], ['Stop please', true],
    ['UNSUBSCRIBE', true], ['请退订', true], ['别再发了', true], ['不要再给我发短信', true], ['停止', true],
    ['我不退订', false], ['好的，我明天还款', false], ['stopped by the bank yesterday', false], ['OK', false], ['', false], ['TDS', false],
  ])('%s → %s', (text, optOut) => {
    expect(recogniseOptOutReply(text).optOut).toBe(optOut);
  });
});
