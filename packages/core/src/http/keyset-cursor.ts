import { badRequest } from './app-error.ts'

/** The cursor is opaque to clients: base64url of the last id of the page (keyset on id, newest first). */
export const encodeCursor = (id: number) => Buffer.from(JSON.stringify({ id })).toString('base64url')

/**
 * The id in a cursor this API gave (a positive integer up to `max`), or 400 INVALID_CURSOR with `details`
 * (default `{ cursor }`).
 */
export function decodeCursor(
  cursor: string,
  { max = Number.MAX_SAFE_INTEGER, details }: { max?: number; details?: unknown } = {},
): number {
  try {
    const { id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id: unknown }
    if (Number.isSafeInteger(id) && (id as number) > 0 && (id as number) <= max) return id as number
  } catch {
    // reported below
  }
  throw badRequest('INVALID_CURSOR', 'cursor is not one this API gave', details ?? { cursor })
}

/** A page from `limit + 1` rows read newest first: the first `limit` rows, and the next page's cursor (or null). */
export function keysetPage<T extends { id: number }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit)
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null }
}
