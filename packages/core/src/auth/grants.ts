import type pg from 'pg'
import type { Action, Scope } from '../modules/contract.ts'

/** The effective scope of each action of each module: the max over the user's rows and their groups' rows. */
export type Grants = Record<string, Partial<Record<Action, Scope>>>

export async function loadGrants(pool: pg.Pool, userId: number): Promise<Grants> {
  const { rows } = await pool.query<{ module_code: string; action: Action; scope: Scope }>(
    `SELECT p.module_code, p.action, max(p.scope)::int AS scope
       FROM core.permissions p
       JOIN core.modules m ON m.code = p.module_code AND m.enabled
      WHERE p.user_id = $1
         OR p.group_id IN (SELECT group_id FROM core.user_groups WHERE user_id = $1)
      GROUP BY p.module_code, p.action`,
    [userId],
  )
  const grants: Grants = {}
  for (const row of rows) {
    grants[row.module_code] ??= {}
    grants[row.module_code]![row.action] = row.scope
  }
  return grants
}
