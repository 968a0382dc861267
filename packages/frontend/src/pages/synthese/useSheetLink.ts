import { computed, onBeforeUnmount, onMounted, ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'

/** Moves the map onto an observation (id) or the whole listed page (no id); `seq` makes each request new. */
export interface MapFocus {
  id?: number
  seq: number
}

/**
 * The observation sheet deep-linked as `?sheet=<id>`: open (and focus the map on it), close, Escape closes it
 * unless `blockEscape` says another interaction owns the key (drawing, a dialog).
 */
export function useSheetLink(options: { blockEscape?: () => boolean } = {}) {
  const route = useRoute()
  const router = useRouter()

  const sheetId = computed(() => {
    const id = Number(route.query.sheet)
    return Number.isInteger(id) && id > 0 ? id : null
  })
  const mapFocus = ref<MapFocus>({ seq: 0 })

  function openSheet(id: number): void {
    mapFocus.value = { id, seq: mapFocus.value.seq + 1 }
    if (sheetId.value !== id) void router.replace({ query: { ...route.query, sheet: String(id) } })
  }
  function closeSheet(): void {
    const { sheet: _sheet, ...query } = route.query
    void router.replace({ query })
  }
  function focusPage(): void {
    mapFocus.value = { seq: mapFocus.value.seq + 1 }
  }

  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && sheetId.value !== null && !options.blockEscape?.()) closeSheet()
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))

  return { sheetId, mapFocus, openSheet, closeSheet, focusPage }
}
