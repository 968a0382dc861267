import type pg from 'pg'

/** One notification to deliver. `kind` must be registered (core.notification_kinds); `url` is an in-app link. */
export interface NotificationInput {
  userId: number
  kind: string
  title: string
  body?: string | null
  url?: string | null
}

export interface NotificationKindSpec {
  kind: string
  label: string
  moduleCode?: string | null
}

/**
 * Registers (or relabels) notification kinds, so that users see them in their preferences. A module declares its
 * kinds in its manifest (`notifications`): the boot's module sync calls this with them. Rows already saying the
 * same are not rewritten.
 */
export async function registerNotificationKinds(
  client: pg.ClientBase | pg.Pool,
  kinds: readonly NotificationKindSpec[],
): Promise<void> {
  if (kinds.length === 0) return
  await client.query(
    `INSERT INTO core.notification_kinds (kind, label, module_code)
     SELECT k.kind, k.label, k.module_code FROM jsonb_to_recordset($1::jsonb) AS k(kind text, label text, module_code text)
     ON CONFLICT (kind) DO UPDATE SET label = EXCLUDED.label, module_code = EXCLUDED.module_code
      WHERE (notification_kinds.label, notification_kinds.module_code)
            IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.module_code)`,
    [JSON.stringify(kinds.map((k) => ({ kind: k.kind, label: k.label, module_code: k.moduleCode ?? null })))],
  )
}

/**
 * Delivers notifications in one INSERT … SELECT, inside the caller's transaction when `client` is in one. Users who
 * opted out of a kind, and unknown users, are skipped. Returns how many were delivered. An unregistered kind is a
 * programming error (thrown before anything is written).
 */
export async function notify(
  client: pg.ClientBase | pg.Pool,
  notifications: readonly NotificationInput[],
): Promise<number> {
  if (notifications.length === 0) return 0
  const kinds = [...new Set(notifications.map((n) => n.kind))]
  const { rows: unknown } = await client.query<{ kind: string }>(
    `SELECT k.kind FROM unnest($1::text[]) AS k(kind)
      WHERE NOT EXISTS (SELECT 1 FROM core.notification_kinds nk WHERE nk.kind = k.kind)`,
    [kinds],
  )
  if (unknown.length) {
    throw new Error(`Unregistered notification kind(s): ${unknown.map((k) => k.kind).join(', ')}`)
  }
  const result = await client.query(
    `INSERT INTO core.notifications (user_id, kind, title, body, url)
     SELECT n.user_id, n.kind, n.title, n.body, n.url
       FROM jsonb_to_recordset($1::jsonb) AS n(i integer, user_id integer, kind text, title text, body text, url text)
       JOIN core.users u ON u.id = n.user_id
      WHERE NOT EXISTS (SELECT 1 FROM core.notification_preferences np
                         WHERE np.user_id = n.user_id AND np.kind = n.kind AND NOT np.enabled)
      ORDER BY n.i`,
    [
      JSON.stringify(
        notifications.map((n, i) => ({
          i,
          user_id: n.userId,
          kind: n.kind,
          title: n.title,
          body: n.body ?? null,
          url: n.url ?? null,
        })),
      ),
    ],
  )
  return result.rowCount ?? 0
}

const isoText = (column: string) => `(to_json(${column}) #>> '{}')`
const NOTIFICATION_COLUMNS = `n.id::double precision AS id, n.kind, n.title, n.body, n.url,
  ${isoText('n.created_at')} AS "createdAt", ${isoText('n.read_at')} AS "readAt"`

const unreadCount = async (pool: pg.Pool, userId: number) =>
  Number(
    (
      await pool.query<{ count: string }>(
        'SELECT count(*) FROM core.notifications WHERE user_id = $1 AND read_at IS NULL',
        [userId],
      )
    ).rows[0]!.count,
  )

/** A user's notifications, unread first then newest first, and how many are unread. */
export async function listNotifications(
  pool: pg.Pool,
  userId: number,
  options: { limit: number; unread?: boolean },
) {
  const { rows } = await pool.query(
    `SELECT ${NOTIFICATION_COLUMNS} FROM core.notifications n
      WHERE n.user_id = $1 ${options.unread ? 'AND n.read_at IS NULL' : ''}
      ORDER BY n.read_at IS NOT NULL, n.created_at DESC, n.id DESC
      LIMIT $2`,
    [userId, options.limit],
  )
  return { items: rows, unreadCount: await unreadCount(pool, userId) }
}

/** Marks one of the user's notifications read (idempotent); false when it is not theirs or does not exist. */
export async function markRead(pool: pg.Pool, userId: number, id: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE core.notifications SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND user_id = $2',
    [id, userId],
  )
  return (rowCount ?? 0) > 0
}

/** Marks all of the user's notifications read; returns how many were unread. */
export async function markAllRead(pool: pg.Pool, userId: number): Promise<number> {
  const { rowCount } = await pool.query(
    'UPDATE core.notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL',
    [userId],
  )
  return rowCount ?? 0
}

export { unreadCount }

/** Every registered kind with the user's choice (delivered unless they opted out). */
export async function listPreferences(db: pg.ClientBase | pg.Pool, userId: number) {
  const { rows } = await db.query(
    `SELECT k.kind, k.label, k.module_code AS module, COALESCE(np.enabled, true) AS enabled
       FROM core.notification_kinds k
       LEFT JOIN core.notification_preferences np ON np.kind = k.kind AND np.user_id = $1
      ORDER BY k.module_code NULLS FIRST, k.kind`,
    [userId],
  )
  return rows as { kind: string; label: string; module: string | null; enabled: boolean }[]
}

/** Sets the user's choices for the kinds given (others unchanged); returns the unknown kinds (nothing written then). */
export async function savePreferences(
  client: pg.ClientBase,
  userId: number,
  preferences: readonly { kind: string; enabled: boolean }[],
): Promise<string[]> {
  const kinds = preferences.map((p) => p.kind)
  const { rows: unknown } = await client.query<{ kind: string }>(
    `SELECT k.kind FROM unnest($1::text[]) AS k(kind)
      WHERE NOT EXISTS (SELECT 1 FROM core.notification_kinds nk WHERE nk.kind = k.kind)`,
    [kinds],
  )
  if (unknown.length) return unknown.map((k) => k.kind)
  await client.query(
    `INSERT INTO core.notification_preferences (user_id, kind, enabled)
     SELECT $1, p.kind, p.enabled FROM jsonb_to_recordset($2::jsonb) AS p(kind text, enabled boolean)
     ON CONFLICT (user_id, kind) DO UPDATE SET enabled = EXCLUDED.enabled`,
    [userId, JSON.stringify(preferences)],
  )
  return []
}
