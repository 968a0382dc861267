import type { FieldMapping, TargetField } from '../api/types.ts'

/** One target field in the form: not filled, from a column of the file, or one constant for every row. */
export interface FieldChoice {
  kind: 'none' | 'column' | 'constant'
  column: string
  constant: string
}

export type FieldMappingForm = Record<string, FieldChoice>

const none = (): FieldChoice => ({ kind: 'none', column: '', constant: '' })

/** The form for these target fields, filled from a mapping; columns absent from the file are left out. */
export function formFromMapping(
  fields: readonly TargetField[],
  mapping: FieldMapping | null,
  columns: readonly string[],
): FieldMappingForm {
  const form: FieldMappingForm = {}
  for (const field of fields) {
    const source = mapping?.[field.name]
    if (source && 'column' in source && columns.includes(source.column))
      form[field.name] = { ...none(), kind: 'column', column: source.column }
    else if (source && 'constant' in source)
      form[field.name] = { ...none(), kind: 'constant', constant: source.constant }
    else form[field.name] = none()
  }
  return form
}

/** The API body's `fields`: filled choices only (a constant may be empty text: it is sent as given). */
export function mappingFromForm(form: FieldMappingForm): FieldMapping {
  const mapping: FieldMapping = {}
  for (const [name, choice] of Object.entries(form)) {
    if (choice.kind === 'column' && choice.column) mapping[name] = { column: choice.column }
    else if (choice.kind === 'constant') mapping[name] = { constant: choice.constant }
  }
  return mapping
}

/**
 * Required fields the form leaves out, as the server counts them: the required fields, the dataset UUID when the
 * import has no dataset, and one complete geometry source (a partial one names its missing parts).
 */
export function missingRequired(
  form: FieldMappingForm,
  fields: readonly TargetField[],
  geometrySources: readonly (readonly string[])[],
  importHasDataset: boolean,
): string[] {
  const mapped = new Set(Object.keys(mappingFromForm(form)))
  const missing = fields.filter((f) => f.required && !mapped.has(f.name)).map((f) => f.name)
  if (!importHasDataset && !mapped.has('datasetUuid')) missing.push('datasetUuid')
  const partial = geometrySources.filter((s) => s.some((f) => mapped.has(f)))
  if (!partial.some((s) => s.every((f) => mapped.has(f)))) {
    if (partial.length > 0) missing.push(...partial.flatMap((s) => s.filter((f) => !mapped.has(f))))
    else missing.push('geometry')
  }
  return missing
}

/** Columns of the file that no field uses. */
export function unusedColumns(form: FieldMappingForm, columns: readonly string[]): string[] {
  const used = new Set(
    Object.values(form)
      .filter((c) => c.kind === 'column')
      .map((c) => c.column),
  )
  return columns.filter((c) => c !== '' && !used.has(c))
}
