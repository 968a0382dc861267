import type { Action, Scope } from '../modules/contract.ts'

/** The effective scope of each action of each module: the max over the user's rows and their groups' rows. */
export type Grants = Record<string, Partial<Record<Action, Scope>>>

/** The grants of the user whose id is the SQL expression `userId`, as one JSON object (module → action → scope). */
export const grantsJsonSql = (userId: string) => `(
  SELECT COALESCE(json_object_agg(g.module_code, g.actions), '{}'::json) FROM (
    SELECT a.module_code, json_object_agg(a.action, a.scope) AS actions FROM (
      SELECT p.module_code, p.action, max(p.scope)::int AS scope
        FROM core.permissions p
        JOIN core.modules m ON m.code = p.module_code AND m.enabled
       WHERE p.user_id = ${userId}
          OR p.group_id IN (SELECT group_id FROM core.user_groups WHERE user_id = ${userId})
       GROUP BY p.module_code, p.action) a
     GROUP BY a.module_code) g)`
