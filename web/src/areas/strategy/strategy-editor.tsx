/**
 * The strategy draft editor: the document as JSON or YAML text with line numbers, each validation
 * problem shown beside its line (and listed below, a click selects the line), the champion/challenger
 * split as whole-percent fields that must add up to 100, and publish once the server found it valid.
 * Validation is the server's (POST /strategies/validate with the text: shape, semantics, cross-policy,
 * each issue with path and line); the editor only checks that there is a text and that the split adds up.
 */
import { useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, Form, InputNumber, List, Space, Typography } from 'antd';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../../api/client.ts';
import { useMessages } from '../../i18n/i18n.tsx';
import type { ValidationIssue, ValidationResult } from './api.ts';
import { strategyMessages } from './messages.ts';

const LINE = 20;

export interface StrategyEditorProps {
  text: string;
  onChange(text: string): void;
  validate(text: string): Promise<ValidationResult>;
  /** Absent without strategy:publish. */
  publish?: (document: unknown) => Promise<{ strategyId: string; version: number; replayed: boolean }>;
}

/** The document of the text (JSON is YAML), or null when it does not parse. */
export function parseDocument(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = parseYaml(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function StrategyEditor({ text, onChange, validate, publish }: StrategyEditorProps) {
  const t = useMessages(strategyMessages);
  const [result, setResult] = useState<{ text: string; value: ValidationResult } | null>(null);
  const [busy, setBusy] = useState(false);
  const [empty, setEmpty] = useState(false);
  const [notice, setNotice] = useState<{ type: 'success' | 'error'; text: string } | null>(null);
  const [scroll, setScroll] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const lines = useMemo(() => text.split('\n'), [text]);
  const stale = result !== null && result.text !== text;
  const errors = result && !stale ? result.value.errors : [];
  const byLine = useMemo(() => {
    const map = new Map<number, ValidationIssue[]>();
    for (const e of errors) if (e.line !== null) map.set(e.line, [...(map.get(e.line) ?? []), e]);
    return map;
  }, [errors]);

  const runValidate = async () => {
    setNotice(null);
    if (text.trim() === '') {
      setEmpty(true);
      return;
    }
    setBusy(true);
    try {
      const value = await validate(text);
      setResult({ text, value });
      // Bring the first problem with a line into view, its annotation beside it.
      const first = value.errors.find((e) => e.line !== null);
      if (first && area.current) {
        area.current.scrollTop = Math.max(0, (first.line! - 4) * LINE);
        setScroll(area.current.scrollTop);
      }
    } catch (e) {
      setNotice({ type: 'error', text: e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e) });
    } finally {
      setBusy(false);
    }
  };

  const runPublish = async () => {
    const doc = parseDocument(text);
    if (!publish || !doc) return;
    setBusy(true);
    try {
      const r = await publish(doc);
      setNotice({ type: 'success', text: r.replayed ? t('editor.replayed', { version: r.version }) : t('editor.published', { id: r.strategyId, version: r.version }) });
    } catch (e) {
      setNotice({ type: 'error', text: t('editor.publishFailed', { detail: e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e) }) });
    } finally {
      setBusy(false);
    }
  };

  /** Selects a line in the text and scrolls it into view. */
  const goTo = (line: number) => {
    const el = area.current;
    if (!el) return;
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    el.scrollTop = Math.max(0, (line - 4) * LINE);
    setScroll(el.scrollTop);
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Form layout="vertical">
        <Form.Item label={t('editor.document')} htmlFor="strategy-text" validateStatus={empty ? 'error' : undefined} help={empty ? t('editor.empty') : undefined} style={{ marginBottom: 8 }}>
          <div style={{ display: 'flex', height: 420, border: '1px solid #d9d9d9', borderRadius: 6, overflow: 'hidden', fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 13, lineHeight: `${LINE}px` }}>
            <div aria-hidden="true" style={{ width: 52, overflow: 'hidden', background: '#fafafa', borderRight: '1px solid #f0f0f0', color: '#8c8c8c', textAlign: 'right' }}>
              <div style={{ transform: `translateY(${-scroll}px)`, paddingTop: 4 }}>
                {lines.map((_, i) => (
                  <div key={i} style={{ height: LINE, paddingRight: 8, color: byLine.has(i + 1) ? '#cf1322' : undefined, fontWeight: byLine.has(i + 1) ? 600 : undefined }}>
                    {byLine.has(i + 1) ? '● ' : ''}{i + 1}
                  </div>
                ))}
              </div>
            </div>
            <textarea id="strategy-text" ref={area} value={text} spellCheck={false} wrap="off" aria-invalid={errors.length > 0 || empty}
              aria-describedby="strategy-problems"
              onChange={(e) => { setEmpty(false); onChange(e.target.value); }}
              onScroll={(e) => setScroll(e.currentTarget.scrollTop)}
              style={{ flex: 1, minWidth: 0, border: 0, outline: 'none', resize: 'none', padding: '4px 8px', font: 'inherit', lineHeight: `${LINE}px`, whiteSpace: 'pre', overflow: 'auto' }} />
            <div data-testid="strategy-annotations" style={{ width: 340, overflow: 'hidden', borderLeft: '1px solid #f0f0f0', background: errors.length ? '#fff8f6' : '#fafafa' }}>
              <div style={{ transform: `translateY(${-scroll}px)`, paddingTop: 4 }}>
                {lines.map((_, i) => {
                  const here = byLine.get(i + 1);
                  return (
                    <div key={i} data-line={i + 1} title={here?.map((e) => `${e.field}: ${e.message}`).join('\n')}
                      style={{ height: LINE, padding: '0 8px', color: '#cf1322', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', fontFamily: 'system-ui, sans-serif', fontSize: 12 }}>
                      {here ? here.map((e) => e.message).join(' · ') : ''}
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
        </Form.Item>
      </Form>
      <Space wrap>
        <Button type="primary" onClick={runValidate} loading={busy}>{t('editor.validate')}</Button>
        {publish ? (
          <Button onClick={runPublish} disabled={busy || !result || stale || !result.value.valid}>{t('editor.publish')}</Button>
        ) : <Typography.Text type="secondary">{t('editor.noPublish')}</Typography.Text>}
        <Typography.Text type="secondary">{t('editor.draftKept')}</Typography.Text>
      </Space>
      <div id="strategy-problems" aria-live="polite">
        {stale && <Alert type="warning" showIcon message={t('editor.stale')} />}
        {result && !stale && result.value.valid && <Alert type="success" showIcon message={t('editor.valid', { id: result.value.id ?? '', version: result.value.version ?? '' })} />}
        {errors.length > 0 && (
          <Alert type="error" showIcon message={t('editor.errors', { count: errors.length })} description={
            <List size="small" dataSource={errors} data-testid="strategy-errors" renderItem={(e) => (
              <List.Item>
                {e.line !== null
                  ? <Button type="link" size="small" onClick={() => goTo(e.line!)} style={{ padding: 0 }}>{t('editor.line', { line: e.line })}</Button>
                  : <Typography.Text type="secondary">{t('editor.noLine')}</Typography.Text>}
                <Typography.Text code style={{ marginInline: 8 }}>{e.field}</Typography.Text>
                <Typography.Text>{e.message}</Typography.Text>
              </List.Item>
            )} />
          } />
        )}
        {notice && <Alert type={notice.type} showIcon role="alert" message={notice.text} />}
      </div>
      <VariantSplit text={text} onChange={onChange} />
    </Space>
  );
}

interface Variant { id: string; percent: number }

/** The variants' shares as whole percents adding up to 100; a valid split is written into the document. */
export function VariantSplit({ text, onChange }: { text: string; onChange(text: string): void }) {
  const t = useMessages(strategyMessages);
  const doc = useMemo(() => parseDocument(text), [text]);
  const variants = Array.isArray(doc?.variants) ? (doc!.variants as Variant[]).filter((v) => v && typeof v.id === 'string') : null;
  const [edits, setEdits] = useState<Record<string, number | null>>({});
  if (!doc) return <Card size="small" title={t('split.title')}><Typography.Text type="secondary">{t('split.unavailable')}</Typography.Text></Card>;
  if (!variants || variants.length === 0) return <Card size="small" title={t('split.title')}><Typography.Text type="secondary">{t('split.none')}</Typography.Text></Card>;
  const value = (v: Variant) => (v.id in edits ? edits[v.id]! : v.percent);
  const whole = (n: number | null) => n !== null && Number.isInteger(n) && n >= 0 && n <= 100;
  const sum = variants.reduce((s, v) => s + (value(v) ?? 0), 0);
  const allWhole = variants.every((v) => whole(value(v)));

  const change = (id: string, n: number | null) => {
    const next = { ...edits, [id]: n };
    setEdits(next);
    const shares = variants.map((v) => (v.id in next ? next[v.id]! : v.percent));
    if (shares.every(whole) && shares.reduce((s, x) => s + (x ?? 0), 0) === 100) {
      const updated = { ...doc, variants: variants.map((v, i) => ({ ...v, percent: shares[i] })) };
      setEdits({});
      onChange(JSON.stringify(updated, null, 2));
    }
  };

  return (
    <Card size="small" title={t('split.title')}>
      <Form layout="inline">
        {variants.map((v, i) => {
          const bad = !whole(value(v));
          const last = i === variants.length - 1;
          return (
            <Form.Item key={v.id} label={t('split.percent', { variant: v.id })} htmlFor={`split-${v.id}`}
              validateStatus={bad || (allWhole && sum !== 100) ? 'error' : undefined}
              help={bad ? t('split.whole') : allWhole && sum !== 100 && last ? t('split.sum', { sum }) : undefined}>
              <InputNumber id={`split-${v.id}`} value={value(v)} step={1} onChange={(n) => change(v.id, typeof n === 'number' ? n : null)} style={{ width: 96 }} />
            </Form.Item>
          );
        })}
      </Form>
    </Card>
  );
}
