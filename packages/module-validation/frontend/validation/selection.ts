/**
 * What the validator selected: some observations (by UUID, across pages), or every result of the current filters
 * (then the change goes by filter and `total` says how many). No SDK import: unit-tested.
 */
export type Selection =
  | { readonly kind: 'ids'; readonly ids: ReadonlySet<string> }
  | { readonly kind: 'all'; readonly total: number }

export const noSelection = (): Selection => ({ kind: 'ids', ids: new Set() })

export const isSelected = (s: Selection, uuid: string): boolean => s.kind === 'all' || s.ids.has(uuid)

/** Toggles one observation; from "all results", unticking one falls back to the others of the page. */
export function toggle(s: Selection, uuid: string, page: readonly string[]): Selection {
  const ids = new Set(s.kind === 'all' ? page : s.ids)
  if (ids.has(uuid)) ids.delete(uuid)
  else ids.add(uuid)
  return { kind: 'ids', ids }
}

/** The page's tick-all box: `all`, `some` or `none` of the page's observations are selected. */
export function pageState(s: Selection, page: readonly string[]): 'all' | 'some' | 'none' {
  if (page.length === 0) return 'none'
  const n = page.filter((u) => isSelected(s, u)).length
  return n === 0 ? 'none' : n === page.length ? 'all' : 'some'
}

/** Ticks the whole page, or unticks it when it is already fully ticked. */
export function togglePage(s: Selection, page: readonly string[]): Selection {
  if (pageState(s, page) === 'all') {
    if (s.kind === 'all') return noSelection()
    const ids = new Set(s.ids)
    for (const u of page) ids.delete(u)
    return { kind: 'ids', ids }
  }
  const ids = new Set(s.kind === 'all' ? [] : s.ids)
  for (const u of page) ids.add(u)
  return { kind: 'ids', ids }
}

export const selectAllResults = (total: number): Selection => ({ kind: 'all', total })

export const selectedCount = (s: Selection): number => (s.kind === 'all' ? s.total : s.ids.size)

/** The selection part of POST /api/validation/statuses. */
export function selectionBody(
  s: Selection,
  filter: Record<string, unknown>,
): { observations: string[] } | { filter: Record<string, unknown> } {
  return s.kind === 'all' ? { filter } : { observations: [...s.ids] }
}

/** "3 observations", "1 observation". */
export const observationsText = (n: number): string =>
  `${n.toLocaleString('fr-FR')} observation${n > 1 ? 's' : ''}`
