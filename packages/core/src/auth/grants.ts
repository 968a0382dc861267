import type { QueryRunner } from '../db/query-runner.ts'
import type { Action, Scope } from '../modules/contract.ts'

/** The effective scope of each action of each module: the max over the user's rows and their groups' rows. */
export type Grants = Record<string, Partial<Record<Action, Scope>>>

/**
 * One permission row as the handlers see it: its scope, and the optional filters that narrow it — `taxon` (a cd_nom:
 * it and everything below it) and `area` (a ref_geo area id). Rows are OR-ed; a row with filters grants only within
 * them, a row without grants its whole scope.
 */
export interface PermissionFilter {
  scope: Scope
  taxon: number | null
  area: number | null
  /** "Sees sensitive data precisely" within this row's scope (blurred otherwise: ADR 15). */
  precise?: boolean
}

/** Every permission row of each action of each module (user's and groups'), for filter-aware handlers. */
export type PermissionRows = Record<string, Partial<Record<Action, PermissionFilter[]>>>

// The user's rows and their groups' rows, in enabled modules.
const userPermissions = (userId: string) => `SELECT p.* FROM core.permissions p
        JOIN core.modules m ON m.code = p.module_code AND m.enabled
       WHERE p.user_id = ${userId}
          OR p.group_id IN (SELECT group_id FROM core.user_groups WHERE user_id = ${userId})`

/** The grants of the user whose id is the SQL expression `userId`, as one JSON object (module → action → scope). */
export const grantsJsonSql = (userId: string) => `(
  SELECT COALESCE(json_object_agg(g.module_code, g.actions), '{}'::json) FROM (
    SELECT a.module_code, json_object_agg(a.action, a.scope) AS actions FROM (
      SELECT p.module_code, p.action, max(p.scope)::int AS scope
        FROM (${userPermissions(userId)}) p
       GROUP BY p.module_code, p.action) a
     GROUP BY a.module_code) g)`

/**
 * The permission rows of the user whose id is `userId`, as one JSON object (module → action → rows, widest scope
 * first), read with the session and the grants in the same query.
 */
export const permissionRowsJsonSql = (userId: string) => `(
  SELECT COALESCE(json_object_agg(g.module_code, g.actions), '{}'::json) FROM (
    SELECT a.module_code, json_object_agg(a.action, a.rows) AS actions FROM (
      SELECT p.module_code, p.action,
             json_agg(DISTINCT jsonb_build_object('scope', p.scope, 'taxon', p.taxon_cd_nom, 'area', p.area_id,
                                                  'precise', p.sensitive_precise))
               AS rows
        FROM (${userPermissions(userId)}) p
       GROUP BY p.module_code, p.action) a
     GROUP BY a.module_code) g)`

/**
 * The rows that matter: an unfiltered row makes every row of a scope not wider than its own redundant. Widest first.
 * An empty list means no grant.
 */
export function effectiveFilters(rows: readonly PermissionFilter[]): PermissionFilter[] {
  const open = Math.max(0, ...rows.filter((r) => r.taxon === null && r.area === null).map((r) => r.scope))
  return rows
    .filter((r) => (r.taxon === null && r.area === null ? r.scope === open : r.scope > open))
    .filter(
      (r, i, all) =>
        all.findIndex((o) => o.scope === r.scope && o.taxon === r.taxon && o.area === r.area) === i,
    )
    .map(({ scope, taxon, area }) => ({ scope, taxon, area }))
    .sort((a, b) => b.scope - a.scope)
}

/**
 * The widest scope within which the rows show sensitive observations precisely (0: none; ADR 15). Filters of a
 * precise row are not honoured for precision: its scope is.
 */
export function preciseScopeOf(rows: readonly PermissionFilter[]): 0 | Scope {
  return Math.max(0, ...rows.filter((r) => r.precise).map((r) => r.scope)) as 0 | Scope
}

/**
 * The effective permission rows (see {@link effectiveFilters}) of a user for one action of one module, read from the
 * database: what `request.permissionFilters` holds for a request, for code that runs without one (a background job
 * acting for the user who queued it). Widest scope first; [] = no grant.
 */
export async function userPermissionFilters(
  db: QueryRunner,
  userId: number,
  moduleCode: string,
  action: Action,
): Promise<PermissionFilter[]> {
  const { rows } = await db.query<PermissionFilter>(
    `SELECT DISTINCT p.scope::int AS scope, p.taxon_cd_nom AS taxon, p.area_id AS area
       FROM (${userPermissions('$1::integer')}) p
      WHERE p.module_code = $2 AND p.action = $3`,
    [userId, moduleCode, action],
  )
  return effectiveFilters(rows)
}
