import type { FastifyInstance } from 'fastify'
import type pg from 'pg'
import { hashPassword } from '../../src/auth/passwords.ts'
import type { Action, Scope } from '../../src/modules/contract.ts'

export const DEMO_PASSWORD = 'demo'

/** Logs in through the API and returns the Cookie header to send with later requests. */
export async function loginAs(
  app: FastifyInstance,
  login: string,
  password = DEMO_PASSWORD,
): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login, password } })
  if (response.statusCode !== 200)
    throw new Error(`login ${login} failed: ${response.statusCode} ${response.body}`)
  const cookie = response.cookies.find((c) => c.name === 'biodiv_session')
  if (!cookie) throw new Error('no session cookie')
  return `${cookie.name}=${cookie.value}`
}

export interface GrantSpec {
  module: string
  action: Action
  scope: Scope
}

/** A user with exactly these permission rows (none: a user who may do nothing). */
export async function createUser(
  pool: pg.Pool,
  spec: { login: string; password?: string; organism?: string; grants?: GrantSpec[] },
): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO core.users (login, password_hash, organism_id)
     VALUES ($1, $2, (SELECT id FROM core.organisms WHERE name = $3)) RETURNING id`,
    [spec.login, await hashPassword(spec.password ?? DEMO_PASSWORD), spec.organism ?? null],
  )
  const id = rows[0]!.id
  for (const g of spec.grants ?? []) {
    await pool.query(
      'INSERT INTO core.permissions (user_id, module_code, action, scope) VALUES ($1, $2, $3, $4)',
      [id, g.module, g.action, g.scope],
    )
  }
  return id
}
