import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { ApiError } from '../src/api/apiFetch.ts'
import { type FetchObservationPage, useObservationPages } from '../src/pages/synthese/useObservationPages.ts'

type Pages = ReturnType<typeof useObservationPages<number>>

/** Mounts a component running the composable; returns its state and the requests it made. */
function setup(fetchPage: FetchObservationPage<number>) {
  let pages: Pages | undefined
  const wrapper = mount(
    defineComponent({
      setup() {
        pages = useObservationPages(fetchPage, 2)
        return () => h('div')
      },
    }),
  )
  if (!pages) throw new Error('not mounted')
  return { pages, wrapper }
}

describe('useObservationPages', () => {
  it('pages forward and back with the cursors the API gave, and sums up the page', async () => {
    const cursors: (string | null)[] = []
    const { pages } = setup(async (cursor) => {
      cursors.push(cursor)
      return cursor === null ? { items: [1, 2], nextCursor: 'c2' } : { items: [3], nextCursor: null }
    })
    expect(pages.summary.value).toBe('Aucune observation')
    void pages.loadFirstPage()
    expect(pages.summary.value).toBe('Recherche…')
    await flushPromises()
    expect(pages.summary.value).toBe('1–2 sur 2+ observations')
    pages.goNext()
    await flushPromises()
    expect(pages.items.value).toEqual([3])
    expect(pages.summary.value).toBe('3–3 sur 3 observations')
    pages.goNext() // last page: no request
    pages.goPrevious()
    await flushPromises()
    expect(cursors).toEqual([null, 'c2', null])
    expect(pages.items.value).toEqual([1, 2])
  })

  it('keeps only the latest request, and aborts the one in flight on unmount', async () => {
    const signals: AbortSignal[] = []
    const resolvers: ((page: { items: number[]; nextCursor: null }) => void)[] = []
    const { pages, wrapper } = setup(
      (_cursor, signal) =>
        new Promise((resolve, reject) => {
          signals.push(signal)
          resolvers.push(resolve)
          signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
        }),
    )
    void pages.loadFirstPage()
    void pages.loadFirstPage()
    expect(signals[0]?.aborted).toBe(true)
    resolvers[1]?.({ items: [9], nextCursor: null })
    await flushPromises()
    expect(pages.items.value).toEqual([9])
    expect(pages.loading.value).toBe(false)
    expect(pages.loadError.value).toBeNull()
    void pages.loadFirstPage()
    wrapper.unmount()
    expect(signals[2]?.aborted).toBe(true)
  })

  it('empties the list and says what failed', async () => {
    const { pages } = setup(async () => {
      throw new ApiError(400, 'BAD_FILTER', 'Filtre invalide')
    })
    await pages.loadFirstPage()
    expect(pages.items.value).toEqual([])
    expect(pages.loadError.value).toBe('Filtre invalide')
    expect(pages.loading.value).toBe(false)
  })
})
