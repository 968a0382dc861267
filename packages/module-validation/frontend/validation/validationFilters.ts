import type { SyntheseFilters } from '@biodiv/sdk'
import type { LocationQuery, LocationQueryRaw } from 'vue-router'

/**
 * The Validation page's filters: the Synthese's (taxa, dates, dataset, areas, observer, status, polygon: same panel,
 * same URL keys) plus the validation ones below, under their own URL keys. No runtime SDK import: unit-tested.
 */
export interface ValidationExtras {
  /** Edited after the last validation (true), not edited (false), either (null). URL `modified=1|0`. */
  modifiedSinceValidation: boolean | null
  /** Text in the validator's name, or a user id. URL `validator`. */
  validator: string
}

export type ValidationFilters = SyntheseFilters & ValidationExtras

export const EXTRA_QUERY_KEYS = ['modified', 'validator'] as const

const first = (value: LocationQuery[string] | undefined): string | null => {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v : null
}

export const emptyExtras = (): ValidationExtras => ({ modifiedSinceValidation: null, validator: '' })

export function extrasFromQuery(query: LocationQuery): ValidationExtras {
  const modified = first(query.modified)
  return {
    modifiedSinceValidation: modified === '1' ? true : modified === '0' ? false : null,
    validator: first(query.validator)?.trim() ?? '',
  }
}

/** Replaces the validation keys of `query` with those of `e`, keeping the others (filters, `sheet`…). */
export function mergeExtrasIntoQuery(query: LocationQueryRaw, e: ValidationExtras): LocationQueryRaw {
  const rest: LocationQueryRaw = { ...query }
  for (const key of EXTRA_QUERY_KEYS) delete rest[key]
  if (e.modifiedSinceValidation !== null) rest.modified = e.modifiedSinceValidation ? '1' : '0'
  if (e.validator.trim()) rest.validator = e.validator.trim()
  return rest
}

/** The list / count query string: the Synthese's API params (from its helper) plus the validation filters. */
export function withExtras(syntheseParams: URLSearchParams, e: ValidationExtras): URLSearchParams {
  const params = new URLSearchParams(syntheseParams)
  if (e.modifiedSinceValidation !== null)
    params.set('modifiedSinceValidation', String(e.modifiedSinceValidation))
  if (e.validator.trim()) params.set('validator', e.validator.trim())
  return params
}

/**
 * The tiles' query string: the Synthese filters without the status, so that an observation given a status changes
 * colour on the map instead of disappearing from it (the tiles colour every point by its status).
 */
export function tileParams(syntheseParams: URLSearchParams): string {
  const params = new URLSearchParams(syntheseParams)
  params.delete('status')
  return params.toString()
}

const REPEATED_IDS = ['taxon', 'dataset', 'area'] as const
const INTEGERS = ['taxonTree', 'import'] as const

/**
 * The `filter` of POST /api/validation/statuses from the list's query string: "select all results" changes exactly
 * what the list shows for the same filters.
 */
export function apiParamsToFilter(params: URLSearchParams): Record<string, unknown> {
  const filter: Record<string, unknown> = {}
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key)
    if ((REPEATED_IDS as readonly string[]).includes(key)) filter[key] = all.map(Number)
    else if ((INTEGERS as readonly string[]).includes(key)) filter[key] = Number(all[0])
    else if (key === 'status') filter.status = all
    else if (key === 'modifiedSinceValidation') filter.modifiedSinceValidation = all[0] === 'true'
    else filter[key] = all[0]
  }
  return filter
}
