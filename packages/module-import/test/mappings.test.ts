import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createTestApp,
  createUser,
  DEMO_ORGANISM,
  DEMO_PARTNER,
  type GrantSpec,
  loginAs,
  type TestApp,
} from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { delimited, multipartBody } from './helpers.ts'

const grants = (scope: 1 | 2 | 3): GrantSpec[] =>
  (['C', 'R', 'U', 'D'] as const).map((action) => ({ module: 'IMPORT', action, scope }))

describe('saved mappings and imports: CRUD and scope isolation', () => {
  let t: TestApp
  let uploadDir: string
  const cookies: Record<string, string> = {}

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'biodiv-import-test-'))
    t = await createTestApp({ env: { UPLOAD_DIR: uploadDir, LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    for (const [login, organism, g] of [
      ['pne1', DEMO_ORGANISM, grants(1)],
      ['pne1b', DEMO_ORGANISM, grants(1)],
      ['pne2', DEMO_ORGANISM, grants(2)],
      ['lpo3', DEMO_PARTNER, grants(3)],
      ['lpo1', DEMO_PARTNER, grants(1)],
      ['noright', DEMO_ORGANISM, [{ module: 'SYNTHESE', action: 'R', scope: 3 }] as GrantSpec[]],
    ] as const) {
      await createUser(pool, { login, organism, grants: g })
      cookies[login] = await loginAs(t.app, login)
    }
  })
  afterAll(async () => {
    await t?.close()
    await rm(uploadDir, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: string, payload?: object) =>
    t.app.inject({ method, url: `/api/import${url}`, headers: { cookie: cookies[who]! }, payload })
  const names = async (who: string) =>
    ((await call('GET', '/mappings', who)).json() as { name: string }[]).map((m) => m.name).sort()

  it('creates, reads, updates and deletes a mapping; presets and public ones are visible to every reader', async () => {
    const created = await call('POST', '/mappings', 'pne1', {
      name: 'Relevés amphibiens',
      fieldMapping: {
        cdNom: { column: 'cd_nom' },
        nomCite: { column: 'espece' },
        observers: { constant: 'PNE' },
      },
      contentMapping: { lifeStage: { têtard: '9', adulte: '2' } },
    })
    expect(created.statusCode, created.body).toBe(201)
    const mine = created.json()
    expect(mine).toMatchObject({
      name: 'Relevés amphibiens',
      isPublic: false,
      isBuiltin: false,
      editable: true,
    })
    const shared = (
      await call('POST', '/mappings', 'lpo1', { name: 'Export Faune-France', isPublic: true })
    ).json()

    expect(await names('pne1')).toEqual([
      'Export Faune-France',
      'GeoNature synthese export',
      'Relevés amphibiens',
      'SINP DEE',
    ])
    // Another scope-1 user of the same organism: presets and public ones only.
    expect(await names('pne1b')).toEqual(['Export Faune-France', 'GeoNature synthese export', 'SINP DEE'])
    expect((await call('GET', `/mappings/${mine.id}`, 'pne1b')).statusCode).toBe(404)
    // Scope 2 sees the organism's private mappings; scope 3 sees all.
    expect(await names('pne2')).toContain('Relevés amphibiens')
    expect(await names('lpo3')).toContain('Relevés amphibiens')

    const renamed = await call('PUT', `/mappings/${mine.id}`, 'pne1', { name: 'Amphibiens', isPublic: true })
    expect(renamed.statusCode, renamed.body).toBe(200)
    expect(renamed.json()).toMatchObject({
      name: 'Amphibiens',
      isPublic: true,
      fieldMapping: mine.fieldMapping,
    })
    expect(await names('pne1b')).toContain('Amphibiens')

    // Visible is not editable: only the owner or a scope of 3.
    const notOwner = await call('PUT', `/mappings/${shared.id}`, 'pne2', { name: 'Pris' })
    expect(notOwner.statusCode).toBe(403)
    expect(notOwner.json().error.code).toBe('NOT_MAPPING_OWNER')
    expect((await call('DELETE', `/mappings/${mine.id}`, 'pne1b')).json().error.code).toBe(
      'NOT_MAPPING_OWNER',
    )
    const byAdmin = await call('PUT', `/mappings/${mine.id}`, 'lpo3', { name: 'Amphibiens (revu)' })
    expect(byAdmin.statusCode).toBe(200)

    expect((await call('DELETE', `/mappings/${mine.id}`, 'pne1')).statusCode).toBe(204)
    expect((await call('GET', `/mappings/${mine.id}`, 'pne1')).statusCode).toBe(404)
  })

  it('refuses unknown target fields, duplicate names, and any change to a preset', async () => {
    const unknown = await call('POST', '/mappings', 'pne1', {
      name: 'X',
      fieldMapping: { espece: { column: 'a' } },
    })
    expect(unknown.json().error.code).toBe('UNKNOWN_TARGET_FIELD')
    const notNomenclature = await call('POST', '/mappings', 'pne1', {
      name: 'X',
      contentMapping: { cdNom: { a: '1' } },
    })
    expect(notNomenclature.json().error.code).toBe('UNKNOWN_TARGET_FIELD')
    expect((await call('POST', '/mappings', 'pne1', { name: 'Doublon' })).statusCode).toBe(201)
    const twice = await call('POST', '/mappings', 'pne1', { name: 'doublon' })
    expect(twice.statusCode).toBe(409)
    expect(twice.json().error.code).toBe('MAPPING_NAME_TAKEN')
    // Another user may use the same name.
    expect((await call('POST', '/mappings', 'pne1b', { name: 'Doublon' })).statusCode).toBe(201)

    const presets = (
      (await call('GET', '/mappings', 'lpo3')).json() as {
        id: number
        isBuiltin: boolean
        editable: boolean
      }[]
    ).filter((m) => m.isBuiltin)
    expect(presets).toHaveLength(2)
    for (const preset of presets) {
      expect(preset.editable).toBe(false)
      const put = await call('PUT', `/mappings/${preset.id}`, 'lpo3', { name: 'Mine now' })
      expect(put.statusCode).toBe(403)
      expect(put.json().error.code).toBe('MAPPING_READ_ONLY')
      expect((await call('DELETE', `/mappings/${preset.id}`, 'lpo3')).json().error.code).toBe(
        'MAPPING_READ_ONLY',
      )
    }
  })

  it('a user without IMPORT permissions sees no mapping and no import', async () => {
    for (const url of ['/mappings', '/imports', '/target-fields']) {
      const response = await call('GET', url, 'noright')
      expect(response.statusCode).toBe(403)
      expect(response.json().error.code).toBe('PERMISSION_DENIED')
    }
    expect((await call('POST', '/mappings', 'noright', { name: 'x' })).statusCode).toBe(403)
  })

  it('imports are scoped like the other modules: 1 mine, 2 my organism’s, 3 all', async () => {
    const { payload, headers } = multipartBody({
      filename: 'obs.csv',
      content: delimited(
        [
          ['cd_nom', 'nom_cite'],
          ['60612', 'Lynx lynx'],
        ],
        ';',
      ),
    })
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/import/imports',
      headers: { ...headers, cookie: cookies.pne1! },
      payload,
    })
    expect(created.statusCode, created.body).toBe(201)
    const { id } = created.json()
    const ids = async (who: string) =>
      ((await call('GET', '/imports', who)).json() as { id: number }[]).map((i) => i.id)
    expect(await ids('pne1')).toContain(id)
    expect(await ids('pne1b')).not.toContain(id)
    expect(await ids('lpo1')).not.toContain(id)
    expect(await ids('pne2')).toContain(id)
    expect(await ids('lpo3')).toContain(id)
    expect((await call('GET', `/imports/${id}`, 'pne1b')).statusCode).toBe(404)
    expect((await call('GET', `/imports/${id}`, 'pne2')).json()).toMatchObject({ id, ownerName: 'pne1' })
    const decode = await call('PUT', `/imports/${id}/decode`, 'lpo1', { encoding: 'utf-8', srid: 4326 })
    expect(decode.statusCode).toBe(404)
    const mapping = await call('PUT', `/imports/${id}/field-mapping`, 'pne1b', { fields: {} })
    expect(mapping.statusCode).toBe(404)
  })
})
