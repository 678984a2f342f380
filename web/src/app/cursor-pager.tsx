/**
 * Paging for the API's cursor lists (GET /accounts and later queues): the current cursor is in the URL,
 * the cursors of earlier pages in the history entry's state, so Previous, the browser's Back button and a
 * reload all work. There is no total count: the server pages by cursor, never by offset.
 */
import { Button, Select, Space, Typography } from 'antd';
import { LeftOutlined, RightOutlined, VerticalRightOutlined } from '@ant-design/icons';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { useMessages } from '../i18n/i18n.tsx';
import { appMessages } from './messages.ts';

export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 20;

interface PagerState { previous?: string[] }

export function useCursorPage() {
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const cursor = params.get('cursor') ?? undefined;
  const limitText = Number(params.get('limit'));
  const limit = (PAGE_SIZES as readonly number[]).includes(limitText) ? limitText : DEFAULT_PAGE_SIZE;
  const previous = (location.state as PagerState | null)?.previous ?? [];
  const go = (next: URLSearchParams, state: PagerState) => navigate({ search: next.toString() }, { state });
  return {
    cursor,
    limit,
    page: previous.length + 1,
    next(nextCursor: string) {
      const p = new URLSearchParams(params);
      p.set('cursor', nextCursor);
      go(p, { previous: [...previous, cursor ?? ''] });
    },
    back() {
      const p = new URLSearchParams(params);
      const before = previous.at(-1);
      if (before) p.set('cursor', before);
      else p.delete('cursor');
      go(p, { previous: previous.slice(0, -1) });
    },
    first() {
      const p = new URLSearchParams(params);
      p.delete('cursor');
      go(p, {});
    },
    setLimit(size: number) {
      const p = new URLSearchParams(params);
      p.delete('cursor');
      p.set('limit', String(size));
      go(p, {});
    },
    /** Replaces the filters (and starts from the first page). */
    setFilters(filters: Record<string, string | number | undefined>) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') p.set(k, String(v));
      if (params.get('limit')) p.set('limit', params.get('limit')!);
      go(p, {});
    },
  };
}

export function CursorPager({ pager, nextCursor, loading }: { pager: ReturnType<typeof useCursorPage>; nextCursor: string | null | undefined; loading: boolean }) {
  const t = useMessages(appMessages);
  return (
    <nav aria-label={t('pager.page', { page: pager.page })} style={{ display: 'flex', justifyContent: 'flex-end', alignItems: 'center', gap: 12, marginTop: 16 }}>
      <Space>
        <Button icon={<VerticalRightOutlined />} disabled={pager.page === 1 || loading} onClick={pager.first} aria-label={t('pager.first')} />
        <Button icon={<LeftOutlined />} disabled={pager.page === 1 || loading} onClick={pager.back}>{t('pager.previous')}</Button>
        <Typography.Text data-testid="pager-page">{t('pager.page', { page: pager.page })}</Typography.Text>
        <Button disabled={!nextCursor || loading} onClick={() => nextCursor && pager.next(nextCursor)}>{t('pager.next')} <RightOutlined /></Button>
      </Space>
      <Select<number>
        aria-label={t('pager.pageSize')}
        value={pager.limit}
        onChange={pager.setLimit}
        options={PAGE_SIZES.map((n) => ({ value: n, label: `${n}` }))}
        style={{ width: 80 }}
      />
    </nav>
  );
}
