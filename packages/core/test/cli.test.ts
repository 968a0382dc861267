import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rootDir } from '../src/config.ts'
import { createTestApp, loginAs, type TestApp } from './helpers/index.ts'

function cli(
  args: string[],
  env: Record<string, string>,
  stdin = '',
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(rootDir, 'packages/core/src/cli/index.ts'), ...args],
      {
        cwd: rootDir,
        env: { ...process.env, ...env },
      },
    )
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }))
    child.stdin.end(stdin)
  })
}

describe('pnpm cli', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t.close())

  it('user:create --admin creates a user who may log in and administer', async () => {
    const result = await cli(
      [
        'user:create',
        '--login',
        'ops',
        '--password-stdin',
        '--admin',
        '--organism',
        'Parc national des Écrins',
      ],
      { DATABASE_URL: t.databaseUrl },
      's3cret-password\n',
    )
    expect(result.stderr).toContain('User ops created')
    expect(result.code).toBe(0)
    const cookie = await loginAs(t.app, 'ops', 's3cret-password')
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } })
    expect(me.json()).toMatchObject({
      login: 'ops',
      isAdmin: true,
      organism: { name: 'Parc national des Écrins' },
    })
    const users = await t.app.inject({ method: 'GET', url: '/api/admin/users', headers: { cookie } })
    expect(users.statusCode).toBe(200)
  }, 60_000)

  it('refuses a duplicate login, a short password and a missing organism, creating nothing', async () => {
    const env = { DATABASE_URL: t.databaseUrl }
    const duplicate = await cli(
      ['user:create', '--login', 'admin', '--password-stdin'],
      env,
      'long enough pw\n',
    )
    expect(duplicate.code).toBe(1)
    expect(duplicate.stderr).toContain('A user with login "admin" already exists')
    const short = await cli(['user:create', '--login', 'shorty', '--password-stdin'], env, 'short\n')
    expect(short.stderr).toContain('at least 8 characters')
    const orphan = await cli(
      ['user:create', '--login', 'orphan', '--password-stdin', '--organism', 'Nowhere'],
      env,
      'long enough pw\n',
    )
    expect(orphan.stderr).toContain('Organism "Nowhere" does not exist')
    const { rows } = await t.app.db.pool.query(
      `SELECT login FROM core.users WHERE login IN ('shorty', 'orphan')`,
    )
    expect(rows).toEqual([])
  }, 60_000)
})
