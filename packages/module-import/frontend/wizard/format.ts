const numbers = new Intl.NumberFormat('fr-FR')

/** A count, or an em dash when not known yet. */
export const formatCount = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : numbers.format(value)

export const formatDateTime = (iso: string): string =>
  new Date(iso).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' })

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} o`
  const units = ['Ko', 'Mo', 'Go', 'To']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} ${units[unit]}`
}
