import { nomenclatureValues } from '@biodiv/sdk'
import { ref } from 'vue'

/** Labels of SINP codes for display: `label(type, code)` is the code until its type's values have arrived. */
export function useNomenclatureLabels(types: readonly string[]) {
  const labels = ref<Record<string, Record<string, string>>>({})
  for (const type of types) {
    nomenclatureValues(type)
      .then((values) => {
        labels.value = { ...labels.value, [type]: Object.fromEntries(values.map((v) => [v.code, v.label])) }
      })
      .catch(() => undefined)
  }
  return (type: string, code: string | null | undefined): string =>
    code ? (labels.value[type]?.[code] ?? code) : '—'
}
