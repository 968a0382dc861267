import { badRequest } from '@biodiv/core'
import type { FieldMapping } from './import-schemas.ts'
import { missingRequiredFields, TARGET_FIELD_NAMES, TARGET_FIELDS } from './target-fields.ts'

/** Target fields that are not in TARGET_FIELDS. */
export function unknownTargetFields(fields: FieldMapping): string[] {
  return Object.keys(fields).filter((f) => !TARGET_FIELD_NAMES.has(f))
}

export function assertKnownTargetFields(fields: FieldMapping): void {
  const unknown = unknownTargetFields(fields)
  if (unknown.length > 0) {
    throw badRequest('UNKNOWN_TARGET_FIELD', `Unknown target fields: ${unknown.join(', ')}`, {
      fields: unknown,
      known: TARGET_FIELDS.map((f) => f.name),
    })
  }
}

/**
 * Checks a field mapping against a file's columns: every target field known, every source column in the file
 * (exact name), every required field mapped. Returns the mapping as stored on the import (without aliases).
 */
export function validateFieldMapping(
  fields: FieldMapping,
  columns: readonly string[],
  importHasDataset: boolean,
): FieldMapping {
  assertKnownTargetFields(fields)
  const available = new Set(columns)
  const unknownColumns = Object.entries(fields).flatMap(([field, source]) =>
    'column' in source && !available.has(source.column) ? [{ field, column: source.column }] : [],
  )
  if (unknownColumns.length > 0) {
    throw badRequest(
      'UNKNOWN_SOURCE_COLUMN',
      `Columns not in the file: ${unknownColumns.map((c) => c.column).join(', ')}`,
      { columns: unknownColumns },
    )
  }
  const missing = missingRequiredFields(new Set(Object.keys(fields)), importHasDataset)
  if (missing.length > 0) {
    throw badRequest('MISSING_REQUIRED_FIELD', `Required fields not mapped: ${missing.join(', ')}`, {
      fields: missing,
    })
  }
  return Object.fromEntries(
    Object.entries(fields).map(([field, source]) => [
      field,
      'column' in source ? { column: source.column } : { constant: source.constant },
    ]),
  )
}

const normalize = (name: string) => name.trim().toLowerCase()

/** The file column a saved mapping's source names: its column then its aliases, exactly, else ignoring case. */
function resolveColumn(source: { column: string; aliases?: string[] }, columns: readonly string[]) {
  const candidates = [source.column, ...(source.aliases ?? [])]
  for (const c of candidates) if (columns.includes(c)) return c
  for (const c of candidates) {
    const found = columns.filter((col) => normalize(col) === normalize(c))
    if (found.length === 1) return found[0]!
  }
  return null
}

/** A saved mapping applied to a file's header: what it fills, what it names that the file lacks, what is left. */
export function matchMapping(mapping: FieldMapping, columns: readonly string[], importHasDataset: boolean) {
  const fields: FieldMapping = {}
  const unmatched: { field: string; column: string }[] = []
  for (const [field, source] of Object.entries(mapping)) {
    if (!TARGET_FIELD_NAMES.has(field)) continue
    if ('constant' in source) {
      fields[field] = { constant: source.constant }
      continue
    }
    const column = resolveColumn(source, columns)
    if (column === null) unmatched.push({ field, column: source.column })
    else fields[field] = { column }
  }
  const used = new Set(Object.values(fields).flatMap((s) => ('column' in s ? [s.column] : [])))
  return {
    fields,
    matched: Object.keys(fields),
    unmatched,
    unmappedColumns: columns.filter((c) => !used.has(c)),
    missingRequired: missingRequiredFields(new Set(Object.keys(fields)), importHasDataset),
  }
}
