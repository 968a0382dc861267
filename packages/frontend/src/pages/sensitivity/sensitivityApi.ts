import { ApiError, apiFetch } from '../../api/apiFetch.ts'

/** The nomenclature types a rule's criteria may use. */
export type CriterionType = 'STATUT_BIO' | 'OCC_COMPORTEMENT'

export interface RuleArea {
  id: number
  type: string
  code: string
  name: string
}

export interface RuleCriterion {
  type: CriterionType
  code: string
  label?: string
}

/** A rule as `GET /api/sensitivity/rules[/:id]` gives it. */
export interface SensitivityRule {
  id: number
  cdNom: number
  nomCite: string | null
  taxon: { lbNom: string; nomVern: string | null; rang: string }
  level: number
  levelLabel: string
  durationYears: number | null
  periodStart: string | null
  periodEnd: string | null
  active: boolean
  source: string | null
  comment: string | null
  areas: RuleArea[]
  criteria: RuleCriterion[]
  createdAt: string
  updatedAt: string
}

/** What POST and PUT take (PUT replaces the whole rule). */
export interface RuleInput {
  cdNom: number
  nomCite: string | null
  level: number
  durationYears: number | null
  periodStart: string | null
  periodEnd: string | null
  active: boolean
  source: string | null
  comment: string | null
  areaIds: number[]
  criteria: { type: CriterionType; code: string }[]
}

export interface RulePage {
  items: SensitivityRule[]
  total: number
  limit: number
  offset: number
}

export interface RuleFilters {
  cdNom?: number
  level?: number
  active?: boolean
  limit?: number
  offset?: number
}

export interface NomenclatureValue {
  code: string
  label: string
  definition?: string | null
}

export interface TaxonHit {
  cd_nom: number
  lb_nom: string
  nom_vern: string | null
  rang: string
}

export interface AreaHit {
  id: number
  type: string
  code: string
  name: string
}

export const RULES_PAGE_SIZE = 50

const query = (params: Record<string, string | number | boolean | undefined>) => {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value))
  const text = search.toString()
  return text ? `?${text}` : ''
}

const nomenclatureCache = new Map<string, Promise<NomenclatureValue[]>>()
function nomenclature(type: string): Promise<NomenclatureValue[]> {
  let values = nomenclatureCache.get(type)
  if (!values) {
    values = apiFetch<NomenclatureValue[]>(`/api/nomenclatures/${type}`)
    values.catch(() => nomenclatureCache.delete(type))
    nomenclatureCache.set(type, values)
  }
  return values
}

export const sensitivityApi = {
  rules: (filters: RuleFilters) =>
    apiFetch<RulePage>(`/api/sensitivity/rules${query({ limit: RULES_PAGE_SIZE, ...filters })}`),
  save: (id: number | null, body: RuleInput) =>
    apiFetch<{ rule: SensitivityRule; recomputed: number }>(`/api/sensitivity/rules${id ? `/${id}` : ''}`, {
      method: id ? 'PUT' : 'POST',
      body,
    }),
  remove: (id: number) =>
    apiFetch<{ id: number; recomputed: number }>(`/api/sensitivity/rules/${id}`, { method: 'DELETE' }),
  /** The SINP labels of the levels 0–4 (SENSIBILITE), numerically ordered. */
  levels: async () =>
    (await nomenclature('SENSIBILITE'))
      .filter((v) => /^[0-4]$/.test(v.code))
      .sort((a, b) => Number(a.code) - Number(b.code)),
  criterionValues: (type: CriterionType) => nomenclature(type),
  searchTaxa: (q: string, signal?: AbortSignal) =>
    apiFetch<TaxonHit[]>(`/api/taxonomy/taxa${query({ q, limit: 15 })}`, { signal }),
  searchAreas: (q: string, signal?: AbortSignal) =>
    apiFetch<AreaHit[]>(`/api/geo/areas${query({ q, limit: 15 })}`, { signal }),
}

/** A taxon as chips and the table show it: scientific name, first vernacular name when known. */
export const taxonLabel = (t: { lbNom: string; nomVern: string | null }) =>
  t.nomVern ? `${t.lbNom} (${t.nomVern.split(',')[0]!.trim()})` : t.lbNom

const MONTHS = [
  'janv.',
  'févr.',
  'mars',
  'avr.',
  'mai',
  'juin',
  'juil.',
  'août',
  'sept.',
  'oct.',
  'nov.',
  'déc.',
]

/** `1101` → `1 nov.` */
export function monthDayLabel(mmdd: string): string {
  const month = MONTHS[Number(mmdd.slice(0, 2)) - 1]
  return month ? `${Number(mmdd.slice(2))} ${month}` : mmdd
}

/** The period of a rule in words; a period whose end comes before its start wraps the new year. */
export function periodLabel(rule: Pick<SensitivityRule, 'periodStart' | 'periodEnd'>): string {
  if (!rule.periodStart || !rule.periodEnd) return 'toute l’année'
  return `${monthDayLabel(rule.periodStart)} → ${monthDayLabel(rule.periodEnd)}`
}

export interface RuleFormErrors {
  /** Messages by form field: cdNom, level, periodStart, periodEnd, durationYears, areaIds, criteria, … */
  fields: Record<string, string>
  /** What no field can show. */
  general: string | null
}

/** The shell's words for the API's codes (its messages are English); schema errors keep the API's message. */
function frenchMessage(code: string, message: string): string | null {
  switch (code) {
    case 'UNKNOWN_TAXON':
      return 'Taxon absent de TAXREF'
    case 'UNKNOWN_AREA':
      return 'Zone inconnue du référentiel géographique'
    case 'UNKNOWN_NOMENCLATURE':
      return 'Critère inconnu'
    case 'INVALID_PERIOD':
      return /both/.test(message)
        ? 'Une période a un début et une fin'
        : 'Jour de l’année invalide (MMJJ, ex. 0301 pour le 1er mars)'
    default:
      return null
  }
}

const FIELD_OF_CODE: Record<string, string> = {
  UNKNOWN_TAXON: 'cdNom',
  UNKNOWN_AREA: 'areaIds',
  UNKNOWN_NOMENCLATURE: 'criteria',
  INVALID_PERIOD: 'periodStart',
}

/**
 * Spreads an API error over the form's fields: `details[].field` (`cdNom`, `periodEnd`, `areaIds.1`, `criteria.0`,
 * `body.level` for schema errors) names the field, its `message` is shown under it.
 */
export function ruleFormErrors(error: unknown): RuleFormErrors {
  const result: RuleFormErrors = { fields: {}, general: null }
  if (!(error instanceof ApiError)) {
    result.general = String(error)
    return result
  }
  const details = Array.isArray(error.details)
    ? (error.details as { field?: string; message?: string }[])
    : []
  for (const item of details) {
    const raw = item?.field?.replace(/^body\.?/, '') ?? ''
    const field = raw.split('.')[0] || FIELD_OF_CODE[error.code]
    if (!field) continue
    const message = frenchMessage(error.code, item.message ?? '') ?? item.message ?? error.message
    if (result.fields[field]?.includes(message)) continue
    result.fields[field] = result.fields[field] ? `${result.fields[field]} ; ${message}` : message
  }
  if (Object.keys(result.fields).length === 0) {
    const field = FIELD_OF_CODE[error.code]
    if (field) result.fields[field] = frenchMessage(error.code, error.message) ?? error.message
    else result.general = error.message
  }
  return result
}
