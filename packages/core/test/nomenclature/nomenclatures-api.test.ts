import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rootDir } from '../../src/config.ts'
import { nomenclatureSeedSql, readNomenclatureData } from '../../src/nomenclature/nomenclature-seed.ts'
import {
  defaultNomenclatures,
  nomenclatureIdSql,
  resolveNomenclatureCodes,
} from '../../src/nomenclature/nomenclature-service.ts'
import { createTestApp, createUser, loginAs, type TestApp } from '../helpers/index.ts'

describe('SINP nomenclatures API', () => {
  let t: TestApp
  let admin: string
  let reader: string
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    admin = await loginAs(t.app, 'admin')
    await createUser(t.app.db.pool, { login: 'reader', organism: 'LPO Auvergne-Rhône-Alpes' })
    reader = await loginAs(t.app, 'reader')
  })
  afterAll(() => t.close())

  const get = (url: string, cookie = reader) => t.app.inject({ method: 'GET', url, headers: { cookie } })
  const put = (payload: unknown, cookie = admin) =>
    t.app.inject({
      method: 'PUT',
      url: '/api/nomenclatures/defaults',
      headers: { cookie },
      payload: payload as object,
    })

  it('ships the 100 SINP types and 567 values, and the migration embeds exactly the data files', async () => {
    const types = await get('/api/nomenclatures')
    expect(types.statusCode).toBe(200)
    expect(types.json()).toHaveLength(100)
    expect(types.json()).toContainEqual(
      expect.objectContaining({
        mnemonique: 'STATUT_VALID',
        label: expect.any(String),
        valueCount: expect.any(Number),
      }),
    )
    const { rows } = await t.app.db.pool.query(
      'SELECT count(*)::int AS n FROM ref_nomenclatures.nomenclatures',
    )
    expect(rows[0].n).toBe(567)
    const data = readNomenclatureData()
    expect(data.values).toHaveLength(567)
    const migration = readFileSync(
      join(rootDir, 'prisma/migrations/20261128110000_nomenclatures/migration.sql'),
      'utf8',
    )
    expect(migration).toContain(nomenclatureSeedSql(data))
  })

  it('lists the values of a type with their SINP codes and hierarchy', async () => {
    const roles = await get('/api/nomenclatures/ROLE_ACTEUR')
    expect(roles.statusCode).toBe(200)
    expect(roles.json().map((v: { code: string }) => v.code)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
    ])
    expect(roles.json()[0]).toMatchObject({ code: '1', label: 'Contact principal', active: true })
    const znieff = (await get('/api/nomenclatures/TYP_EN'))
      .json()
      .find((v: { code: string }) => v.code === 'ZNIEFF1')
    expect(znieff.broaderCode).toBe('ZNIEFF')
  })

  it('filters taxon-dependent values by kingdom and INPN group 2, other types unfiltered', async () => {
    const all = (await get('/api/nomenclatures/STADE_VIE')).json() as { code: string; label: string }[]
    const birds = (await get('/api/nomenclatures/STADE_VIE?kingdom=Animalia&group2Inpn=Oiseaux')).json()
    const plants = (await get('/api/nomenclatures/STADE_VIE?kingdom=Plantae')).json()
    expect(birds.length).toBeGreaterThan(0)
    expect(birds.length).toBeLessThan(all.length)
    expect(plants.length).toBeGreaterThan(0)
    const birdCodes = new Set(birds.map((v: { code: string }) => v.code))
    const plantCodes = new Set(plants.map((v: { code: string }) => v.code))
    expect([...birdCodes].some((c) => !plantCodes.has(c))).toBe(true)
    // ROLE_ACTEUR has no applicability rows: filtering changes nothing.
    expect((await get('/api/nomenclatures/ROLE_ACTEUR?kingdom=Plantae')).json()).toHaveLength(8)
  })

  it('answers 404 naming an unknown type, 401 anonymously', async () => {
    const unknown = await get('/api/nomenclatures/NOT_A_TYPE')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().error).toMatchObject({ code: 'NOMENCLATURE_TYPE_NOT_FOUND' })
    expect(unknown.json().error.message).toContain('NOT_A_TYPE')
    expect((await t.app.inject({ method: 'GET', url: '/api/nomenclatures' })).statusCode).toBe(401)
  })

  it('gives instance defaults, overridden per organism by an admin; bad types or codes write nothing', async () => {
    const instance = (await get('/api/nomenclatures/defaults')).json()
    expect(instance.STATUT_VALID).toEqual({ code: '0', label: expect.any(String) })
    expect(instance.STATUT_SOURCE.code).toBe('NSP')
    const meta = (await get('/api/nomenclatures/defaults?usage=metadata')).json()
    expect(meta.STATUT_SOURCE.code).toBe('Te')
    expect(meta.DS_PUBLIQUE.code).toBe('Pu')

    const { rows } = await t.app.db.pool.query(
      "SELECT id FROM core.organisms WHERE name = 'LPO Auvergne-Rhône-Alpes'",
    )
    const lpo = rows[0].id
    const set = await put({ organism: lpo, defaults: { STATUT_SOURCE: 'Li', SEXE: '2' } })
    expect(set.statusCode).toBe(200)
    expect(set.json().STATUT_SOURCE.code).toBe('Li')
    const forLpo = (await get(`/api/nomenclatures/defaults?organism=${lpo}`)).json()
    expect(forLpo.STATUT_SOURCE.code).toBe('Li')
    expect(forLpo.SEXE.code).toBe('2')
    expect(forLpo.STATUT_VALID.code).toBe('0') // instance default still applies
    expect((await get('/api/nomenclatures/defaults')).json().STATUT_SOURCE.code).toBe('NSP')

    const bad = await put({ organism: lpo, defaults: { SEXE: '3', STATUT_SOURCE: 'XX', NOPE: '1' } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.code).toBe('UNKNOWN_NOMENCLATURE')
    expect(bad.json().error.message).toContain('XX')
    expect(bad.json().error.message).toContain('NOPE')
    expect((await get(`/api/nomenclatures/defaults?organism=${lpo}`)).json().SEXE.code).toBe('2')

    const denied = await put({ organism: null, defaults: { SEXE: '3' } }, reader)
    expect(denied.statusCode).toBe(403)
  })

  it('exports a service resolving codes to ids for later issues', async () => {
    const pool = t.app.db.pool
    const [a, b] = await resolveNomenclatureCodes(pool, [
      { type: 'STATUT_VALID', code: '0' },
      { type: 'SEXE', code: '2' },
    ])
    const { rows } = await pool.query(`SELECT ${nomenclatureIdSql('SEXE', '$1')} AS id`, ['2'])
    expect(rows[0].id).toBe(b)
    expect(a).toEqual(expect.any(Number))
    await expect(
      resolveNomenclatureCodes(pool, [{ type: 'SEXE', code: '99', field: 'sex' }]),
    ).rejects.toMatchObject({
      statusCode: 400,
      details: [{ field: 'sex', type: 'SEXE', code: '99' }],
    })
    expect((await defaultNomenclatures(pool, null)).METH_OBS?.code).toBe('21')
  })
})
