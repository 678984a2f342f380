import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { renderInApp } from '../../test-utils.tsx';
import type { ValidationResult } from './api.ts';
import { StrategyEditor, parseDocument } from './strategy-editor.tsx';

const user = userEvent.setup({ delay: null });

const DOC = { id: 's', version: 2, variants: [{ id: 'champion', percent: 90 }, { id: 'robot-first', percent: 10 }] };
const TEXT = JSON.stringify(DOC, null, 2);

/** The editor with its text held as the page holds it. */
function Harness(props: { validate(text: string): Promise<ValidationResult>; publish?: (doc: unknown) => Promise<{ strategyId: string; version: number; replayed: boolean }>; initial?: string; onText?: (t: string) => void }) {
  const [text, setText] = useState(props.initial ?? TEXT);
  return <StrategyEditor text={text} onChange={(t) => { setText(t); props.onText?.(t); }} validate={props.validate} {...(props.publish ? { publish: props.publish } : {})} />;
}

const annotation = (line: number) => document.querySelector(`[data-testid="strategy-annotations"] [data-line="${line}"]`)!;

describe('strategy editor', () => {
  it('refuses to validate an empty document, at the field', async () => {
    const validate = vi.fn();
    renderInApp(<Harness validate={validate} initial="" />);
    await user.click(screen.getByRole('button', { name: /校\s*验/ }));
    expect(await screen.findByText('请输入策略文档')).toBeTruthy();
    expect(validate).not.toHaveBeenCalled();
    expect(screen.getByLabelText('策略文档（JSON 或 YAML）').getAttribute('aria-invalid')).toBe('true');
  });

  it("shows each server problem beside its line and in the list; a click selects the line; an edit marks them stale", async () => {
    const validate = vi.fn(async (): Promise<ValidationResult> => ({
      valid: false, id: null, version: null,
      errors: [
        { field: '$.variants[1].percent', code: 'variants_sum', message: 'shares must add up to 100', line: 9 },
        { field: '$', code: 'missing', message: 'effectiveFrom is required', line: null },
      ],
    }));
    renderInApp(<Harness validate={validate} />);
    await user.click(screen.getByRole('button', { name: /校\s*验/ }));
    await waitFor(() => expect(annotation(9).textContent).toBe('shares must add up to 100'));
    expect(validate).toHaveBeenCalledWith(TEXT);
    expect(annotation(8).textContent).toBe('');
    const list = screen.getByTestId('strategy-errors');
    expect(within(list).getByText('effectiveFrom is required')).toBeTruthy();
    expect(screen.getByText('发现 2 个问题')).toBeTruthy();
    await user.click(within(list).getByRole('button', { name: '第 9 行' }));
    const area = screen.getByLabelText('策略文档（JSON 或 YAML）') as HTMLTextAreaElement;
    expect(area.value.slice(area.selectionStart, area.selectionEnd)).toBe(TEXT.split('\n')[8]);
    // Publishing waits for a valid result.
    expect(screen.queryByRole('button', { name: /发\s*布/ })).toBeNull();
    fireEvent.change(area, { target: { value: `${TEXT} ` } });
    expect(await screen.findByText('文档已修改，请重新校验')).toBeTruthy();
    expect(annotation(9).textContent).toBe('');
  });

  it('publishes only after the server found the current text valid', async () => {
    const validate = vi.fn(async (): Promise<ValidationResult> => ({ valid: true, id: 's', version: 2, errors: [] }));
    const publish = vi.fn(async () => ({ strategyId: 's', version: 2, replayed: false }));
    renderInApp(<Harness validate={validate} publish={publish} />);
    const button = screen.getByRole('button', { name: /发\s*布/ });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: /校\s*验/ }));
    expect(await screen.findByText('校验通过：s 第 2 版可以发布')).toBeTruthy();
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false));
    await user.click(button);
    await waitFor(() => expect(publish).toHaveBeenCalledWith(DOC));
    expect(await screen.findByText('已发布 s 第 2 版')).toBeTruthy();
  });

  it('edits the champion/challenger split: whole percents, adding up to 100, written into the document', async () => {
    const texts: string[] = [];
    renderInApp(<Harness validate={vi.fn()} onText={(t) => texts.push(t)} />);
    const champion = screen.getByLabelText('champion 的比例（%）');
    const robot = screen.getByLabelText('robot-first 的比例（%）');
    await user.clear(champion);
    await user.type(champion, '80');
    expect(await screen.findByText('各方案比例之和必须为 100（当前 90）')).toBeTruthy();
    expect(texts).toEqual([]);
    await user.clear(robot);
    await user.type(robot, '20');
    await waitFor(() => expect(texts.length).toBe(1));
    expect(parseDocument(texts[0]!)).toEqual({ ...DOC, variants: [{ id: 'champion', percent: 80 }, { id: 'robot-first', percent: 20 }] });
    expect(screen.queryByText(/各方案比例之和必须为 100/)).toBeNull();
    await user.clear(robot);
    await user.type(robot, '7.5');
    expect(await screen.findByText('比例必须是 0 到 100 的整数')).toBeTruthy();
    expect(texts.length).toBe(1);
  });

  it('reads YAML too, and says when the text does not parse', () => {
    expect(parseDocument('id: s\nvariants:\n  - id: a\n    percent: 100\n')).toEqual({ id: 's', variants: [{ id: 'a', percent: 100 }] });
    expect(parseDocument('{ "id": ')).toBeNull();
    renderInApp(<Harness validate={vi.fn()} initial={'{ "id": '} />);
    expect(screen.getByText('文档无法解析，修正后才能编辑分流')).toBeTruthy();
  });

  it('speaks English', async () => {
    renderInApp(<Harness validate={vi.fn()} initial="" />, 'en');
    await user.click(screen.getByRole('button', { name: 'Validate' }));
    expect(await screen.findByText('Enter a strategy document')).toBeTruthy();
    expect(screen.getByText('The document does not parse: fix it to edit the split')).toBeTruthy();
  });
});
