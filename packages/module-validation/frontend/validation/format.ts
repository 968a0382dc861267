/** "12/05/2024", or "12/05/2024 – 14/05/2024" for a period over several days. */
export function formatPeriod(dateMin: string, dateMax: string): string {
  const day = (iso: string) => new Date(iso).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })
  const from = day(dateMin)
  const to = day(dateMax)
  return from === to ? from : `${from} – ${to}`
}

export const formatDate = (iso: string | null): string =>
  iso ? new Date(iso).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' }) : '—'
