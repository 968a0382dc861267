/**
 * Keyset paging over `{ items, nextCursor }` pages: the API only goes forward, so the pager keeps the cursor that
 * opened each page seen (a stack) to come back. Page 1 is opened by no cursor (null).
 */
export interface CursorPager {
  /** Cursor of each page up to the current one; the last is the current page's. */
  readonly stack: readonly (string | null)[]
  /** nextCursor of the current page, once loaded (null: last page). */
  readonly nextCursor: string | null
}

export const firstPage = (): CursorPager => ({ stack: [null], nextCursor: null })

/** The cursor to request for the current page. */
export const currentCursor = (p: CursorPager): string | null => p.stack[p.stack.length - 1] ?? null

/** 0-based index of the current page. */
export const pageIndex = (p: CursorPager): number => p.stack.length - 1

export const hasNext = (p: CursorPager): boolean => p.nextCursor !== null
export const hasPrevious = (p: CursorPager): boolean => p.stack.length > 1

/** The current page was loaded: remember where the next one starts. */
export const loaded = (p: CursorPager, nextCursor: string | null): CursorPager => ({ ...p, nextCursor })

/** Goes to the next page (the caller then loads `currentCursor`); unchanged on the last page. */
export const next = (p: CursorPager): CursorPager =>
  p.nextCursor === null ? p : { stack: [...p.stack, p.nextCursor], nextCursor: null }

/** Goes back one page; unchanged on the first. */
export const previous = (p: CursorPager): CursorPager =>
  p.stack.length > 1 ? { stack: p.stack.slice(0, -1), nextCursor: null } : p

/** "1–50 sur 50+ observations" style: exact total only on the last page. */
export function pageSummary(p: CursorPager, itemCount: number, pageSize: number): string {
  const start = pageIndex(p) * pageSize
  const seen = start + itemCount
  if (seen === 0) return 'Aucune observation'
  const total = hasNext(p) ? `${seen}+` : String(seen)
  const plural = hasNext(p) || seen > 1 ? 'observations' : 'observation'
  const range = itemCount === 0 ? '' : `${start + 1}–${seen} sur `
  return `${range}${total} ${plural}`
}
