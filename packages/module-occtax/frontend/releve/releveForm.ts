import {
  COUNTING_NOMENCLATURES,
  type CountingBody,
  type CountingNomenclatureField,
  OCCURRENCE_NOMENCLATURES,
  type OccurrenceBody,
  type OccurrenceNomenclatureField,
  type Releve,
  type ReleveBody,
  type ReleveGeometry,
  releveGeometry,
} from './types.ts'

/** What the form knows of an occurrence's taxon: enough to name it and to filter its nomenclatures. */
export interface TaxonChoice {
  cdNom: number
  lbNom: string
  nomVern: string | null
  kingdom: string | null
  group2: string | null
}

/** Number inputs give a number, or '' when empty (Vue's v-model on type="number"). */
type NumberInput = number | string

export type CountingForm = {
  key: number
  id?: number
  countMin: NumberInput
  countMax: NumberInput
} & { [K in CountingNomenclatureField]: string | null }

export type OccurrenceForm = {
  key: number
  id?: number
  taxon: TaxonChoice | null
  nomCite: string
  determiner: string
  comment: string
  countings: CountingForm[]
} & { [K in OccurrenceNomenclatureField]: string | null }

export interface ReleveForm {
  datasetId: number | null
  observers: { id: number; name: string }[]
  observersText: string
  dateMin: string
  dateMax: string
  hourMin: string
  hourMax: string
  geometry: ReleveGeometry | null
  altitudeMin: NumberInput
  altitudeMax: NumberInput
  placeName: string
  habitat: string
  comment: string
  grpTyp: string | null
  grpMethod: string
  occurrences: OccurrenceForm[]
}

/** Nomenclature defaults: type mnemonique → code (GET /api/nomenclatures/defaults). */
export type NomenclatureDefaults = Record<string, string>

let nextKey = 1
/** A stable key for v-for over occurrences and countings (ids are absent until saved). */
const newKey = () => nextKey++

export function emptyCounting(defaults: NomenclatureDefaults = {}): CountingForm {
  const counting = { key: newKey(), countMin: 1, countMax: 1 } as CountingForm
  for (const [field, type] of COUNTING_NOMENCLATURES) counting[field] = defaults[type] ?? null
  return counting
}

export function emptyOccurrence(defaults: NomenclatureDefaults = {}): OccurrenceForm {
  const occurrence = {
    key: newKey(),
    taxon: null,
    nomCite: '',
    determiner: '',
    comment: '',
    countings: [emptyCounting(defaults)],
  } as unknown as OccurrenceForm
  for (const [field, type] of OCCURRENCE_NOMENCLATURES) occurrence[field] = defaults[type] ?? null
  return occurrence
}

/** Today as YYYY-MM-DD in the browser's time zone (what a naturalist means by "today"). */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

export function emptyReleveForm(options: {
  observer?: { id: number; name: string } | null
  defaults?: NomenclatureDefaults
  date?: string
}): ReleveForm {
  const date = options.date ?? today()
  return {
    datasetId: null,
    observers: options.observer ? [options.observer] : [],
    observersText: '',
    dateMin: date,
    dateMax: date,
    hourMin: '',
    hourMax: '',
    geometry: null,
    altitudeMin: '',
    altitudeMax: '',
    placeName: '',
    habitat: '',
    comment: '',
    grpTyp: options.defaults?.TYP_GRP ?? null,
    grpMethod: '',
    occurrences: [],
  }
}

/** The form of a saved relevé; `taxa` gives kingdom / group of each cd_nom (for nomenclature filters). */
export function releveToForm(releve: Releve, taxa: Map<number, TaxonChoice> = new Map()): ReleveForm {
  return {
    datasetId: releve.datasetId,
    observers: releve.observers.map((o) => ({ id: o.id, name: o.name })),
    observersText: releve.observersText ?? '',
    dateMin: releve.dateMin.slice(0, 10),
    dateMax: (releve.dateMax ?? releve.dateMin).slice(0, 10),
    hourMin: releve.hourMin?.slice(0, 5) ?? '',
    hourMax: releve.hourMax?.slice(0, 5) ?? '',
    geometry: releveGeometry(releve.geometry),
    altitudeMin: releve.altitudeMin ?? '',
    altitudeMax: releve.altitudeMax ?? '',
    placeName: releve.placeName ?? '',
    habitat: releve.habitat ?? '',
    comment: releve.comment ?? '',
    grpTyp: releve.grpTyp,
    grpMethod: releve.grpMethod ?? '',
    occurrences: releve.occurrences.map((o) => {
      const occurrence = {
        key: newKey(),
        id: o.id,
        taxon: taxa.get(o.cdNom) ?? {
          cdNom: o.cdNom,
          lbNom: o.lbNom ?? o.nomCite,
          nomVern: o.nomVern,
          kingdom: null,
          group2: null,
        },
        nomCite: o.nomCite,
        determiner: o.determiner ?? '',
        comment: o.comment ?? '',
        countings: o.countings.map((c) => {
          const counting = {
            key: newKey(),
            id: c.id,
            countMin: c.countMin,
            countMax: c.countMax,
          } as CountingForm
          for (const [field] of COUNTING_NOMENCLATURES) counting[field] = c[field]
          return counting
        }),
      } as OccurrenceForm
      for (const [field] of OCCURRENCE_NOMENCLATURES) occurrence[field] = o[field]
      return occurrence
    }),
  }
}

const text = (value: string) => {
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

/** A number input's value as an integer, undefined when empty, NaN when not a number. */
export function integerOf(value: NumberInput): number | undefined {
  if (typeof value === 'number') return value
  if (value.trim() === '') return undefined
  return Number(value.trim().replace(',', '.'))
}

/**
 * The API body of a (checked) form. Empty optional fields are left out, so the server applies its defaults;
 * ids are kept only when `keepIds` (PUT keeps the existing occurrences and countings).
 */
export function formToBody(form: ReleveForm, { keepIds = false } = {}): ReleveBody {
  if (form.datasetId === null || form.geometry === null) throw new Error('formToBody: unchecked form')
  const body: ReleveBody = {
    datasetId: form.datasetId,
    observerIds: form.observers.map((o) => o.id),
    dateMin: form.dateMin,
    dateMax: form.dateMax || form.dateMin,
    geometry: form.geometry,
    occurrences: form.occurrences.map((o) => {
      const occurrence: OccurrenceBody = {
        cdNom: o.taxon!.cdNom,
        countings: o.countings.map((c) => {
          const counting: CountingBody = {
            countMin: integerOf(c.countMin) ?? 0,
            countMax: integerOf(c.countMax) ?? integerOf(c.countMin) ?? 0,
          }
          if (keepIds && c.id !== undefined) counting.id = c.id
          for (const [field] of COUNTING_NOMENCLATURES) if (c[field]) counting[field] = c[field]!
          return counting
        }),
      }
      if (keepIds && o.id !== undefined) occurrence.id = o.id
      const nomCite = text(o.nomCite)
      if (nomCite) occurrence.nomCite = nomCite
      const determiner = text(o.determiner)
      if (determiner) occurrence.determiner = determiner
      const comment = text(o.comment)
      if (comment) occurrence.comment = comment
      for (const [field] of OCCURRENCE_NOMENCLATURES) if (o[field]) occurrence[field] = o[field]!
      return occurrence
    }),
  }
  const optional = {
    observersText: text(form.observersText),
    hourMin: text(form.hourMin),
    hourMax: text(form.hourMax),
    placeName: text(form.placeName),
    habitat: text(form.habitat),
    comment: text(form.comment),
    grpTyp: form.grpTyp ?? undefined,
    grpMethod: text(form.grpMethod),
  }
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (body as unknown as Record<string, unknown>)[key] = value
  }
  const altitudeMin = integerOf(form.altitudeMin)
  const altitudeMax = integerOf(form.altitudeMax)
  if (altitudeMin !== undefined) body.altitudeMin = altitudeMin
  if (altitudeMax !== undefined) body.altitudeMax = altitudeMax
  return body
}

/** Form errors: message by field path, paths as the API names them (`occurrences[0].countings[1].countMin`). */
export type FieldErrors = Record<string, string>

const isCount = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n >= 0

/** The checks the server makes too, so most mistakes are shown before sending. */
export function validateReleveForm(form: ReleveForm): FieldErrors {
  const errors: FieldErrors = {}
  if (form.datasetId === null) errors.datasetId = 'Choisissez le jeu de données.'
  if (form.observers.length === 0 && form.observersText.trim() === '')
    errors.observers = 'Indiquez au moins un observateur.'
  if (form.geometry === null)
    errors.geometry = 'Localisez le relevé : dessinez-le sur la carte ou saisissez ses coordonnées.'
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.dateMin)) errors.dateMin = 'Indiquez la date d’observation.'
  else if (form.dateMax && form.dateMax < form.dateMin)
    errors.dateMax = 'La date de fin précède la date de début.'
  else if (form.dateMin > today()) errors.dateMin = 'La date est dans le futur.'
  if (
    form.hourMin &&
    form.hourMax &&
    (form.dateMax || form.dateMin) === form.dateMin &&
    form.hourMax < form.hourMin
  )
    errors.hourMax = 'L’heure de fin précède l’heure de début.'
  const altitudeMin = integerOf(form.altitudeMin)
  const altitudeMax = integerOf(form.altitudeMax)
  if (altitudeMin !== undefined && !Number.isInteger(altitudeMin))
    errors.altitudeMin = 'Altitude en mètres entiers.'
  if (altitudeMax !== undefined && !Number.isInteger(altitudeMax))
    errors.altitudeMax = 'Altitude en mètres entiers.'
  else if (altitudeMin !== undefined && altitudeMax !== undefined && altitudeMax < altitudeMin)
    errors.altitudeMax = 'L’altitude maximale est inférieure à la minimale.'
  if (form.occurrences.length === 0) errors.occurrences = 'Ajoutez au moins un taxon.'
  form.occurrences.forEach((o, i) => {
    if (!o.taxon) errors[`occurrences[${i}].cdNom`] = 'Choisissez le taxon dans la liste.'
    if (o.countings.length === 0) errors[`occurrences[${i}].countings`] = 'Ajoutez au moins un dénombrement.'
    o.countings.forEach((c, j) => {
      const path = `occurrences[${i}].countings[${j}]`
      const min = integerOf(c.countMin)
      const max = integerOf(c.countMax)
      if (!isCount(min)) errors[`${path}.countMin`] = 'Nombre entier positif.'
      if (max !== undefined && !isCount(max)) errors[`${path}.countMax`] = 'Nombre entier positif.'
      else if (isCount(min) && max !== undefined && max < min)
        errors[`${path}.countMax`] = 'Le maximum est inférieur au minimum.'
    })
  })
  return errors
}

/** `body.occurrences.0.countings.1.countMin` (schema validation) → `occurrences[0].countings[1].countMin`. */
export function normalizeFieldPath(field: string): string {
  return field
    .replace(/^body[./]/, '')
    .replace(/[./](\d+)(?=[./]|$)/g, '[$1]')
    .replace(/\//g, '.')
}

const CODE_MESSAGES: Record<string, string> = {
  COUNT_MIN_SUP_COUNT_MAX: 'Le maximum est inférieur au minimum.',
  DATE_MIN_SUP_DATE_MAX: 'La date de fin précède la date de début.',
  ALTITUDE_MIN_SUP_ALTITUDE_MAX: 'L’altitude minimale dépasse la maximale.',
  UNKNOWN_TAXON: 'Taxon inconnu du référentiel.',
  INVALID_GEOMETRY: 'Géométrie invalide.',
  GEOMETRY_OUT_OF_BOUNDS: 'La géométrie est hors du territoire couvert.',
  MISSING_OBSERVER: 'Indiquez au moins un observateur.',
  DATASET_NOT_ACTIVE: 'Ce jeu de données est fermé à la saisie.',
  DATASET_NOT_WRITABLE: 'Vous ne pouvez pas saisir dans ce jeu de données.',
}

/** Where the form shows a server field: every observer field (`observerIds[2]`…) goes to the observers block. */
const formField = (path: string) => (/^observer(Ids|sText)\b/.test(path) ? 'observers' : path)

/** What the SDK's ApiError carries (kept structural so this file stays free of the shell's runtime). */
interface ApiErrorLike {
  code: string
  message: string
  details?: unknown
}

const isApiError = (error: unknown): error is ApiErrorLike =>
  error instanceof Error && typeof (error as Partial<ApiErrorLike>).code === 'string'

/** The server's error spread over the form: a message per field path, or a general one. */
export function apiFieldErrors(error: unknown): { fields: FieldErrors; general: string | null } {
  const result: { fields: FieldErrors; general: string | null } = { fields: {}, general: null }
  if (!isApiError(error)) {
    result.general = String(error)
    return result
  }
  const details = error.details
  const list = Array.isArray(details) ? details : details && typeof details === 'object' ? [details] : []
  for (const item of list as { field?: unknown; message?: unknown; code?: unknown; type?: unknown }[]) {
    if (typeof item?.field !== 'string' || item.field === '') continue
    const field = formField(normalizeFieldPath(item.field))
    const detail = typeof item.message === 'string' && item.message !== '' ? item.message : null
    let message: string
    if (error.code === 'UNKNOWN_NOMENCLATURE')
      message = `Code « ${String(item.code)} » inconnu (${String(item.type)}).`
    else if (error.code === 'INVALID_GEOMETRY')
      message = detail ? `Géométrie invalide : ${detail}.` : CODE_MESSAGES.INVALID_GEOMETRY!
    else if (error.code === 'DATE_MIN_SUP_DATE_MAX' && field.startsWith('hour'))
      message = 'L’heure de fin précède l’heure de début.'
    else message = CODE_MESSAGES[error.code] ?? detail ?? error.message
    result.fields[field] = field in result.fields ? `${result.fields[field]} ${message}` : message
  }
  if (Object.keys(result.fields).length === 0)
    result.general = CODE_MESSAGES[error.code] ?? (error.message || 'Erreur du serveur.')
  return result
}
