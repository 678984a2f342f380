/**
 * Recognises an inbound reply that asks to stop messages on that channel: 退订, TD, T, STOP,
 * UNSUBSCRIBE … (US-08, and the 回复TD退订 convention of Chinese SMS). The SMS and e-mail providers
 * call this on every inbound message; a match becomes an opt-out for the channel and sender.
 */
export interface OptOutReply { optOut: boolean; keyword: string | null }

/** Replies that are only a keyword (after normalisation) — short codes that mean nothing else. */
const WHOLE_KEYWORDS = new Set(['td', 't', 'n', 'stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'optout', 'opt out', 'revoke', '退订', '退', '停止', '取消']);
/** Chinese phrases that ask to stop, anywhere in the reply, unless negated (不退订, 不要退订). */
const ZH_PHRASES = /(退订|退定|停止发送|停止推送|不要再发|别再发|不要再给我发|取消订阅|拒收|别再打|不要再打|停止联系)/u;
const ZH_NEGATED = /(不|别|不要|无需|不用)(退订|退定|取消订阅)/u;
/** English: a leading STOP/UNSUBSCRIBE word ("STOP please", "unsubscribe me"). */
const EN_LEADING = /^(stop|stopall|unsubscribe|opt[ -]?out|cancel|quit|end|td)\b/u;

export function recogniseOptOutReply(text: string): OptOutReply {
  const normal = text.normalize('NFKC').toLowerCase().trim().replace(/[\s\p{P}\p{S}]+$/u, '').replace(/^[\s\p{P}\p{S}]+/u, '').replace(/\s+/g, ' ');
  if (normal === '') return { optOut: false, keyword: null };
  if (WHOLE_KEYWORDS.has(normal)) return { optOut: true, keyword: normal };
  const zh = ZH_PHRASES.exec(normal);
  if (zh && !ZH_NEGATED.test(normal)) return { optOut: true, keyword: zh[0] };
  const en = EN_LEADING.exec(normal);
  if (en) return { optOut: true, keyword: en[0] };
  return { optOut: false, keyword: null };
}
