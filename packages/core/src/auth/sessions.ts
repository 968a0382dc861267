import { createHash, randomBytes } from 'node:crypto'
import type pg from 'pg'
import { type Grants, grantsJsonSql, type PermissionRows, permissionRowsJsonSql } from './grants.ts'

export interface SessionUser {
  id: number
  login: string
  firstName: string | null
  lastName: string | null
  email: string | null
  organismId: number | null
  organismName: string | null
}

export const SESSION_COOKIE = 'biodiv_session'

// Tokens are stored hashed: a leaked sessions table does not let anyone log in.
const sessionId = (token: string) => createHash('sha256').update(token).digest('hex')

export async function createSession(
  pool: pg.Pool,
  userId: number,
  ttlHours: number,
  meta: { ip?: string; userAgent?: string },
): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await pool.query('DELETE FROM core.sessions WHERE expires_at < now()')
  await pool.query(
    `INSERT INTO core.sessions (id, user_id, expires_at, ip, user_agent)
     VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5)`,
    [sessionId(token), userId, ttlHours * 3600, meta.ip ?? null, meta.userAgent?.slice(0, 500) ?? null],
  )
  return token
}

/**
 * The user behind a session token, their grants and their permission rows with filters (one round trip: it runs on
 * every request), or null when unknown,
 * expired or the user is inactive. Sliding expiry: a session used more than a minute after its last renewal is
 * extended.
 */
export async function findSession(
  pool: pg.Pool,
  token: string,
  ttlHours: number,
): Promise<{ user: SessionUser; grants: Grants; permissionRows: PermissionRows } | null> {
  // A named statement: parsed and planned once per connection. It runs on every request, and planning this text
  // cost 3× its execution (1.4 ms → 0.45 ms per request).
  const { rows } = await pool.query<SessionUser & { grants: Grants; permissionRows: PermissionRows }>({
    name: 'core.find-session',
    text: `WITH s AS (
       UPDATE core.sessions
          SET last_seen_at = now(), expires_at = now() + make_interval(secs => $2)
        WHERE id = $1 AND expires_at > now() AND last_seen_at < now() - interval '1 minute'
       RETURNING user_id
     )
     SELECT u.id, u.login, u.first_name AS "firstName", u.last_name AS "lastName", u.email,
            u.organism_id AS "organismId", o.name AS "organismName", ${grantsJsonSql('u.id')} AS grants,
            ${permissionRowsJsonSql('u.id')} AS "permissionRows"
       FROM core.sessions cs
       JOIN core.users u ON u.id = cs.user_id AND u.active
       LEFT JOIN core.organisms o ON o.id = u.organism_id
      WHERE cs.id = $1 AND cs.expires_at > now()`,
    values: [sessionId(token), ttlHours * 3600],
  })
  if (!rows[0]) return null
  const { grants, permissionRows, ...user } = rows[0]
  return { user, grants, permissionRows }
}

export async function deleteSession(pool: pg.Pool, token: string): Promise<void> {
  await pool.query('DELETE FROM core.sessions WHERE id = $1 OR expires_at < now()', [sessionId(token)])
}
