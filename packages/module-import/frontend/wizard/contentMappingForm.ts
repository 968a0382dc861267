import type { ContentMapping, ContentMappingValues } from '../api/types.ts'

/** field → source value → chosen SINP code ('' = none). */
export type ContentChoices = Record<string, Record<string, string>>

/** The first choice of each value: the import's own mapping, then the saved mapping's, then the preset's suggestion. */
export function initialChoices(values: ContentMappingValues, saved: ContentMapping = {}): ContentChoices {
  return Object.fromEntries(
    values.fields.map((f) => [
      f.field,
      Object.fromEntries(
        f.values.map((v) => [v.value, v.mapped ?? saved[f.field]?.[v.value] ?? v.suggestion?.code ?? '']),
      ),
    ]),
  )
}

/** The values left without a code. */
export const unmappedValues = (choices: ContentChoices): { field: string; value: string }[] =>
  Object.entries(choices).flatMap(([field, byValue]) =>
    Object.entries(byValue)
      .filter(([, code]) => !code)
      .map(([value]) => ({ field, value })),
  )

/** The API body's content mapping: chosen codes only. */
export function mappingFromChoices(choices: ContentChoices): ContentMapping {
  const out: ContentMapping = {}
  for (const [field, byValue] of Object.entries(choices)) {
    const chosen = Object.entries(byValue).filter(([, code]) => code)
    if (chosen.length) out[field] = Object.fromEntries(chosen)
  }
  return out
}

/** A saved mapping's content mapping with these choices on top (its values for other files are kept). */
export function mergeContentMapping(base: ContentMapping, choices: ContentChoices): ContentMapping {
  const merged: ContentMapping = { ...base }
  for (const [field, byValue] of Object.entries(mappingFromChoices(choices)))
    merged[field] = { ...(merged[field] ?? {}), ...byValue }
  return merged
}
