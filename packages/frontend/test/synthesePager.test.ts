import { describe, expect, it } from 'vitest'
import {
  currentCursor,
  firstPage,
  hasNext,
  hasPrevious,
  loaded,
  next,
  pageIndex,
  pageSummary,
  previous,
} from '../src/pages/synthese/cursorPager.ts'

describe('keyset paging of the Synthese list', () => {
  it('walks forward with nextCursor and back through the stack of cursors', () => {
    let p = firstPage()
    expect(currentCursor(p)).toBeNull()
    expect(hasPrevious(p)).toBe(false)
    expect(hasNext(p)).toBe(false) // not loaded yet
    p = loaded(p, 'c1')
    expect(hasNext(p)).toBe(true)
    p = next(p)
    expect(currentCursor(p)).toBe('c1')
    expect(hasNext(p)).toBe(false) // page 2 not loaded yet
    p = loaded(p, 'c2')
    p = next(loaded(p, 'c2'))
    expect(currentCursor(p)).toBe('c2')
    expect(pageIndex(p)).toBe(2)
    p = loaded(p, null) // the last page
    expect(next(p)).toBe(p)
    p = previous(p)
    expect(currentCursor(p)).toBe('c1')
    p = previous(p)
    expect(currentCursor(p)).toBeNull()
    expect(previous(p)).toBe(p)
  })

  it('says "50+" while more pages exist and the exact count on the last page', () => {
    let p = loaded(firstPage(), 'c1')
    expect(pageSummary(p, 50, 50)).toBe('1–50 sur 50+ observations')
    p = loaded(next(p), 'c2')
    expect(pageSummary(p, 50, 50)).toBe('51–100 sur 100+ observations')
    p = loaded(next(p), null)
    expect(pageSummary(p, 7, 50)).toBe('101–107 sur 107 observations')
    expect(pageSummary(loaded(firstPage(), null), 1, 50)).toBe('1–1 sur 1 observation')
    expect(pageSummary(loaded(firstPage(), null), 0, 50)).toBe('Aucune observation')
  })
})
