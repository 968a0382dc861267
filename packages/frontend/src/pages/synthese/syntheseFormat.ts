/** Display helpers of the Synthese UI (French formats). */

const dateFormat = new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: '2-digit', year: 'numeric' })
const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
})

const parse = (iso: string | null | undefined) => {
  if (!iso) return null
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? null : d
}

export const formatDate = (iso: string | null | undefined): string => {
  const d = parse(iso)
  return d ? dateFormat.format(d) : '—'
}

export const formatDateTime = (iso: string | null | undefined): string => {
  const d = parse(iso)
  return d ? dateTimeFormat.format(d) : '—'
}

/** "12/05/2024" or "12/05/2024 → 14/05/2024" when the observation spans several days. */
export function formatPeriod(min: string, max: string): string {
  const a = formatDate(min)
  const b = formatDate(max)
  return a === b ? a : `${a} → ${b}`
}

/** "3", "2 – 5", or "—". */
export function formatRange(min: number | null, max: number | null, unit = ''): string {
  if (min === null && max === null) return '—'
  const suffix = unit ? ` ${unit}` : ''
  if (min === null || max === null || min === max) return `${min ?? max}${suffix}`
  return `${min} – ${max}${suffix}`
}
