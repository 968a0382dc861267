/** "à l’instant", "il y a 5 min", "il y a 3 h", "hier", then the date: when a notification arrived. */
export function arrivedAgo(iso: string, now: Date = new Date()): string {
  const then = new Date(iso)
  const minutes = Math.floor((now.getTime() - then.getTime()) / 60_000)
  if (minutes < 1) return 'à l’instant'
  if (minutes < 60) return `il y a ${minutes} min`
  if (minutes < 24 * 60) return `il y a ${Math.floor(minutes / 60)} h`
  const day = (d: Date) => d.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })
  const yesterday = new Date(now.getTime() - 24 * 3600_000)
  if (day(then) === day(yesterday)) return 'hier'
  return `le ${day(then)}`
}

/** The in-app route of a notification's url; null for none or anything that is not a same-site path. */
export function inAppLink(url: string | null): string | null {
  return url?.startsWith('/') && !url.startsWith('//') ? url : null
}

/** Badge text: the count, capped. */
export const badgeText = (count: number): string => (count > 99 ? '99+' : String(count))
