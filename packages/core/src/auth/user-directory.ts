import type { QueryRunner } from '../db/query-runner.ts'

// What modules know of users: their id, the name to show, their organism. The table is the core's (core.users).

const displayName = (u: string) =>
  `COALESCE(NULLIF(concat_ws(' ', ${u}.first_name, ${u}.last_name), ''), ${u}.login)`

/**
 * SQL expression: the display name ("First Last", else the login) of the user whose id is the SQL expression
 * `userId`; NULL when there is none. E.g. `${userNameSql('i.owner_id')} AS "ownerName"`.
 */
export const userNameSql = (userId: string) =>
  `(SELECT ${displayName('un')} FROM core.users un WHERE un.id = ${userId})`

export interface UserSummary {
  id: number
  name: string
  organismId: number | null
}

/** The users that exist among `ids` (one query), by id: what a writer checks before linking users to its rows. */
export async function findUsers(db: QueryRunner, ids: readonly number[]): Promise<Map<number, UserSummary>> {
  if (ids.length === 0) return new Map()
  const { rows } = await db.query<UserSummary>(
    `SELECT u.id, ${displayName('u')} AS name, u.organism_id AS "organismId"
       FROM core.users u WHERE u.id = ANY($1::integer[])`,
    [[...new Set(ids)]],
  )
  return new Map(rows.map((r) => [r.id, r]))
}

/** Active users whose name or login contains `q` (all when empty), by name, with their organism's name. */
export async function searchUsers(
  db: QueryRunner,
  q: string | undefined,
  limit = 20,
): Promise<{ id: number; name: string; organism: string | null }[]> {
  const text = q?.trim() ?? ''
  const { rows } = await db.query<{ id: number; name: string; organism: string | null }>(
    `SELECT u.id, ${displayName('u')} AS name, o.name AS organism
       FROM core.users u LEFT JOIN core.organisms o ON o.id = u.organism_id
      WHERE u.active
        AND ($1 = '' OR concat_ws(' ', u.first_name, u.last_name, u.login) ILIKE '%' || $1 || '%')
      ORDER BY 2, u.id
      LIMIT $2`,
    [text.replace(/[\\%_]/g, (c) => `\\${c}`), limit],
  )
  return rows
}
