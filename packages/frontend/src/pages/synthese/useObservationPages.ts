import { computed, onBeforeUnmount, type Ref, ref } from 'vue'
import { ApiError } from '../../api/apiFetch.ts'
import {
  type CursorPager,
  currentCursor,
  firstPage,
  hasNext,
  hasPrevious,
  loaded,
  next,
  pageSummary,
  previous,
} from './cursorPager.ts'

export type FetchObservationPage<T> = (
  cursor: string | null,
  signal: AbortSignal,
) => Promise<{ items: T[]; nextCursor: string | null }>

/**
 * A keyset-paged list loaded from `fetchPage`: a new load aborts the one in flight, and unmounting aborts it too.
 * The caller decides when the query changes and calls `loadFirstPage`.
 */
export function useObservationPages<T>(fetchPage: FetchObservationPage<T>, pageSize: number) {
  const items = ref<T[]>([]) as Ref<T[]>
  const pager = ref<CursorPager>(firstPage())
  const loading = ref(false)
  const loadError = ref<string | null>(null)
  let controller: AbortController | null = null

  async function loadPage(): Promise<void> {
    controller?.abort()
    const current = new AbortController()
    controller = current
    loading.value = true
    loadError.value = null
    try {
      const page = await fetchPage(currentCursor(pager.value), current.signal)
      items.value = page.items
      pager.value = loaded(pager.value, page.nextCursor)
    } catch (error) {
      if (current.signal.aborted) return
      items.value = []
      loadError.value = error instanceof ApiError ? error.message : String(error)
    } finally {
      if (controller === current) loading.value = false
    }
  }
  function loadFirstPage(): Promise<void> {
    pager.value = firstPage()
    return loadPage()
  }
  function goNext(): void {
    if (!hasNext(pager.value)) return
    pager.value = next(pager.value)
    void loadPage()
  }
  function goPrevious(): void {
    if (!hasPrevious(pager.value)) return
    pager.value = previous(pager.value)
    void loadPage()
  }
  const summary = computed(() =>
    loading.value && items.value.length === 0
      ? 'Recherche…'
      : pageSummary(pager.value, items.value.length, pageSize),
  )
  onBeforeUnmount(() => controller?.abort())

  return { items, pager, loading, loadError, loadPage, loadFirstPage, goNext, goPrevious, summary }
}
