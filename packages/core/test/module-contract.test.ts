import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIRST_PARTY_MODULES } from '../src/config.ts'
import { loadModules } from '../src/modules/load-modules.ts'
import { createTestApp } from './helpers/index.ts'

const root = mkdtempSync(join(tmpdir(), 'biodiv-contract-'))

/** Writes a throwaway module package (plain JS, as a partner could ship) and returns its path. */
function modulePackage(name: string, definition: string): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `@partner/${name}`, type: 'module', main: 'index.js' }),
  )
  writeFileSync(join(dir, 'index.js'), definition)
  return dir
}

const manifest = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    code: 'PARTNER',
    name: 'Partner',
    version: '1.0.0',
    host: '^1.0',
    permissions: ['R'],
    ...overrides,
  })

describe('module contract, checked at boot', () => {
  it('accepts the first-party modules', async () => {
    const modules = await loadModules(FIRST_PARTY_MODULES)
    expect(modules.map((m) => m.manifest.code)).toEqual(['OCCTAX', 'IMPORT', 'VALIDATION'])
    for (const m of modules) expect(m.manifest.frontend?.entry).toBe('dist/frontend/index.js')
  })

  it.each([
    [
      'a lower-case code',
      manifest({ code: 'partner' }),
      /Module @partner\/bad-code: invalid manifest: \/code/,
    ],
    [
      'a missing host range',
      manifest({ host: undefined }),
      /Module @partner\/no-host: invalid manifest:.*host/,
    ],
    [
      'a host range that is not semver',
      manifest({ host: 'latest' }),
      /\(PARTNER\): host "latest" is not a semver range/,
    ],
    [
      'an incompatible host',
      manifest({ host: '^2.0' }),
      /\(PARTNER\): supports core \^2.0, but this core is 1\./,
    ],
    ['an unknown action', manifest({ permissions: ['R', 'X'] }), /invalid manifest: \/permissions\/1/],
    ['a reserved code', manifest({ code: 'ADMIN' }), /code ADMIN is reserved/],
    ['an unknown manifest field', manifest({ colour: 'red' }), /invalid manifest/],
    [
      'a notification kind of another module',
      manifest({ notifications: [{ kind: 'validation.status', label: 'x' }] }),
      /\(PARTNER\): notification kinds must start with "partner\.": validation\.status/,
    ],
    [
      'a notification kind declared twice',
      manifest({
        notifications: [
          { kind: 'partner.done', label: 'a' },
          { kind: 'partner.done', label: 'b' },
        ],
      }),
      /\(PARTNER\): notification kinds declared twice: partner\.done/,
    ],
    [
      'a malformed notification kind',
      manifest({ notifications: [{ kind: 'Partner Done', label: 'x' }] }),
      /invalid manifest: \/notifications\/0\/kind/,
    ],
  ])('refuses %s, naming the module', async (label, text, message) => {
    const dir = modulePackage(
      { 'a lower-case code': 'bad-code', 'a missing host range': 'no-host' }[label] ??
        label.replaceAll(' ', '-'),
      `export default { manifest: ${text} }`,
    )
    await expect(loadModules([dir])).rejects.toThrow(message)
  })

  it('refuses a package without a default export, or one that fails to import', async () => {
    const empty = modulePackage('empty', 'export const x = 1')
    await expect(loadModules([empty])).rejects.toThrow(
      /Module @partner\/empty: its entry must `export default defineModule/,
    )
    const broken = modulePackage('broken', 'export default {{')
    await expect(loadModules([broken])).rejects.toThrow(/Module @partner\/broken: cannot be imported/)
    await expect(loadModules(['@partner/not-installed'])).rejects.toThrow(
      /Module @partner\/not-installed: package not found/,
    )
  })

  it('refuses two modules with the same code', async () => {
    const a = modulePackage('twin-a', `export default { manifest: ${manifest()} }`)
    const b = modulePackage('twin-b', `export default { manifest: ${manifest()} }`)
    await expect(loadModules([a, b])).rejects.toThrow(
      'Module @partner/twin-b: code PARTNER is already used by @partner/twin-a',
    )
  })

  it('validates the module configuration against its schema', async () => {
    const dir = modulePackage(
      'configured',
      `export default { manifest: { ...${manifest()}, configSchema: { type: 'object', properties: { pageSize: { type: 'integer', minimum: 1, default: 50 } } } } }`,
    )
    const [loaded] = await loadModules([dir])
    expect(loaded!.config).toEqual({ pageSize: 50 })
    const configFile = join(root, 'modules-config.json')
    writeFileSync(configFile, JSON.stringify({ PARTNER: { pageSize: 0 } }))
    await expect(loadModules([dir], configFile)).rejects.toThrow(
      /\(PARTNER\): invalid configuration: \/pageSize/,
    )
  })

  it('stops the boot when a route uses a permission the manifest does not declare', async () => {
    const dir = modulePackage(
      'undeclared',
      `export default { manifest: ${manifest()}, routes: async (f) => {
         f.get('/things', { config: { permission: 'D' } }, async () => [])
       } }`,
    )
    await expect(createTestApp({ modules: [dir] })).rejects.toThrow(
      /Module @partner\/undeclared \(PARTNER\): route GET \/api\/partner\/things uses permission "D", which the manifest does not declare \(R\)/,
    )
  })

  it('mounts a valid module’s routes under /api/<code>', async () => {
    const dir = modulePackage(
      'mounted',
      `export default { manifest: ${manifest({ code: 'MOUNTED' })}, routes: async (f) => {
         f.get('/ping', { config: { permission: 'R' }, schema: { response: { 200: { type: 'object', properties: { scope: { type: 'integer' } } } } } },
           async (request) => ({ scope: request.scope }))
       } }`,
    )
    const t = await createTestApp({ modules: [dir] })
    try {
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { login: 'agent', password: 'demo' },
      })
      const cookie = `biodiv_session=${login.cookies[0]!.value}`
      // The agents group got scope 2 on every module action at seed time; MOUNTED is new, so: nothing yet.
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/mounted/ping', headers: { cookie } })).statusCode,
      ).toBe(403)
      await t.app.db.pool.query(
        `INSERT INTO core.permissions (group_id, module_code, action, scope)
         SELECT id, 'MOUNTED', 'R', 2 FROM core.groups`,
      )
      const ping = await t.app.inject({ method: 'GET', url: '/api/mounted/ping', headers: { cookie } })
      expect(ping.json()).toEqual({ scope: 2 })
      const actions = await t.app.db.pool.query(
        `SELECT action FROM core.module_actions WHERE module_code = 'MOUNTED'`,
      )
      expect(actions.rows).toEqual([{ action: 'R' }])
    } finally {
      await t.close()
    }
  })
})
