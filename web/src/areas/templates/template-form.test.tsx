import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { renderInApp } from '../../test-utils.tsx';
import type { Finding, TemplateDocument } from './api.ts';
import { TemplateForm, draftProblems, findingsByField } from './template-form.tsx';

const EMAIL: TemplateDocument = { id: 'cn-email-x', version: 3, language: 'zh-CN', channel: 'email', subject: '还款提醒', body: '正文', html: '<p>正文</p>' };
const finding = (path: string, severity: Finding['severity'], zh: string, en = zh, ruleId: string | null = null): Finding => ({ code: 'x', severity, path, ruleId, message: { zh, en } });

function Harness({ findings, onDoc, latest = 2, locale }: { findings: Finding[]; onDoc?: (d: TemplateDocument) => void; latest?: number; locale?: 'en' }) {
  const [doc, setDoc] = useState(EMAIL);
  const form = <TemplateForm doc={doc} latestVersion={latest} findings={findings} idPrefix="t" onChange={(d) => { setDoc(d); onDoc?.(d); }} />;
  return form && (locale ? form : form);
}

describe('template form', () => {
  it('puts each lint finding at the field its path names, the rest in a list', () => {
    const findings = [
      finding('body', 'error', '缺少退订方式', 'no opt-out text', 'CN-12'),
      finding('body', 'warning', '短信过长'),
      finding('subject', 'error', '主题中含有禁止用语'),
      finding('sections[0].text', 'error', '信函缺少事项'),
      finding('$', 'warning', '缺少退订链接'),
    ];
    renderInApp(<Harness findings={findings} />);
    const body = screen.getByTestId('t-body-findings');
    expect(within(body).getByText('CN-12 缺少退订方式')).toBeTruthy();
    expect(within(body).getByText('短信过长')).toBeTruthy();
    expect(within(screen.getByTestId('t-subject-findings')).getByText('主题中含有禁止用语')).toBeTruthy();
    // No field for sections (an e-mail has none) nor for the whole template: listed below.
    expect(screen.getByText('其他问题')).toBeTruthy();
    expect(screen.getByText('sections[0].text')).toBeTruthy();
    expect(screen.getByText('$')).toBeTruthy();
    expect(screen.getByLabelText('正文').closest('.ant-form-item')!.className).toMatch(/has-error/);
    expect(screen.getByLabelText('HTML 正文').closest('.ant-form-item')!.className).not.toMatch(/has-(error|warning)/);
  });

  it('a field with only warnings is amber, not red', () => {
    renderInApp(<Harness findings={[finding('html', 'warning', '缺少退订链接')]} />);
    expect(screen.getByLabelText('HTML 正文').closest('.ant-form-item')!.className).toMatch(/has-warning/);
  });

  it('requires the texts and a version above the latest published one', () => {
    const onDoc = vi.fn();
    renderInApp(<Harness findings={[]} onDoc={onDoc} latest={3} />);
    expect(screen.getByText('版本号必须大于已发布的最新版本 3')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('版本号'), { target: { value: '4' } });
    expect(screen.queryByText(/版本号必须大于/)).toBeNull();
    fireEvent.change(screen.getByLabelText('邮件主题'), { target: { value: '   ' } });
    expect(screen.getByText('此项不能为空')).toBeTruthy();
    expect(onDoc).toHaveBeenLastCalledWith({ ...EMAIL, version: 4, subject: '   ' });
    expect(draftProblems({ ...EMAIL, version: 4, subject: ' ' }, 3)).toEqual({ subject: 'required' });
    expect(draftProblems({ ...EMAIL, version: 3.5 }, 3)).toEqual({ version: 'version_low' });
  });

  it('matches paths below a field to it, not to a field whose name it merely starts with', () => {
    const { at, other } = findingsByField([finding('body', 'error', 'a'), finding('bodyExtra', 'error', 'b'), finding('title.x', 'error', 'c')], ['body', 'title']);
    expect(at.get('body')!.map((f) => f.message.zh)).toEqual(['a']);
    expect(at.get('title')!.map((f) => f.message.zh)).toEqual(['c']);
    expect(other.map((f) => f.message.zh)).toEqual(['b']);
  });

  it('shows the messages in English', () => {
    renderInApp(<TemplateForm doc={EMAIL} latestVersion={2} findings={[finding('body', 'error', '缺少退订方式', 'no opt-out text', 'CN-12')]} idPrefix="t" onChange={() => {}} />, 'en');
    expect(within(screen.getByTestId('t-body-findings')).getByText('CN-12 no opt-out text')).toBeTruthy();
    expect(screen.getByLabelText('Body')).toBeTruthy();
  });
});
