import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GrantSpec } from '../helpers/index.ts'
import {
  createTestApp,
  createUser,
  DEMO_ORGANISM,
  DEMO_PARTNER,
  loginAs,
  type TestApp,
} from '../helpers/index.ts'

const PNE = DEMO_ORGANISM
const LPO = DEMO_PARTNER
const grants = (scope: 1 | 2 | 3): GrantSpec[] =>
  (['C', 'R', 'U', 'D'] as const).map((action) => ({ module: 'METADATA', action, scope }))

describe('SINP metadata API: acquisition frameworks, datasets, actors', () => {
  let t: TestApp
  const cookies: Record<string, string> = {}
  const ids: Record<string, number> = {}
  let pneId: number
  let lpoId: number
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    for (const [login, organism, scope] of [
      ['pne1', PNE, 1],
      ['pne2', PNE, 2],
      ['lpo2', LPO, 2],
      ['all3', LPO, 3],
    ] as const) {
      ids[login] = await createUser(pool, { login, organism, grants: grants(scope) })
      cookies[login] = await loginAs(t.app, login)
    }
    await createUser(pool, {
      login: 'reader',
      organism: PNE,
      grants: [{ module: 'METADATA', action: 'R', scope: 3 }],
    })
    cookies.reader = await loginAs(t.app, 'reader')
    cookies.admin = await loginAs(t.app, 'admin')
    const { rows } = await pool.query('SELECT id, name FROM core.organisms')
    pneId = rows.find((r) => r.name === PNE).id
    lpoId = rows.find((r) => r.name === LPO).id
  })
  afterAll(() => t.close())

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: string, payload?: unknown) =>
    t.app.inject({
      method,
      url: `/api/meta${url}`,
      headers: { cookie: cookies[who]! },
      payload: payload as object,
    })
  const names = async (url: string, who: string) =>
    ((await call('GET', url, who)).json() as { name: string }[]).map((x) => x.name).sort()

  it('creates, reads, searches and updates a framework and a dataset with actors, exchanging SINP codes', async () => {
    const framework = await call('POST', '/acquisition-frameworks', 'admin', {
      name: 'Suivi des galliformes de montagne',
      description: 'Comptages printaniers',
      startDate: '2024-03-01',
      territorialLevel: '6',
      financingType: '1',
      actors: [{ organismId: pneId, role: '1' }],
    })
    expect(framework.statusCode).toBe(201)
    expect(framework.json()).toMatchObject({
      name: 'Suivi des galliformes de montagne',
      startDate: '2024-03-01',
      endDate: null,
      territorialLevel: '6',
      financingType: '1',
      isClosed: false,
      actors: [
        { organismId: pneId, organismName: PNE, userId: null, role: '1', roleLabel: 'Contact principal' },
      ],
    })
    expect(framework.json().uuid).toMatch(/^[0-9a-f-]{36}$/)
    const frameworkId = framework.json().id

    const bbox = {
      type: 'Polygon',
      coordinates: [
        [
          [6.1, 44.7],
          [6.4, 44.7],
          [6.4, 44.9],
          [6.1, 44.7],
        ],
      ],
    }
    const dataset = await call('POST', '/datasets', 'admin', {
      frameworkId,
      name: 'Comptages Tétras-lyre',
      shortName: 'Tétras 2024',
      objective: '5.2',
      collectingMethod: '1',
      bbox,
      actors: [
        { userId: ids.pne1, role: '6' },
        { organismId: lpoId, userId: ids.lpo2, role: '2' },
      ],
    })
    expect(dataset.statusCode).toBe(201)
    expect(dataset.json()).toMatchObject({
      frameworkId,
      frameworkName: 'Suivi des galliformes de montagne',
      objective: '5.2',
      collectingMethod: '1',
      // Left out: the instance's metadata defaults.
      dataType: '1',
      dataOrigin: 'Pu',
      sourceStatus: 'Te',
      active: true,
      validable: true,
      bbox,
      actors: [
        { userId: ids.pne1, organismId: null, userName: 'pne1', role: '6' },
        { userId: ids.lpo2, organismId: lpoId, organismName: LPO, role: '2' },
      ],
    })
    const datasetId = dataset.json().id

    expect(await names('/datasets?q=tétras', 'admin')).toEqual(['Comptages Tétras-lyre'])
    expect(await names('/datasets?q=TETRAS 2024', 'admin')).toEqual([])
    expect(await names(`/datasets?framework=${frameworkId}`, 'admin')).toEqual(['Comptages Tétras-lyre'])
    expect(await names('/acquisition-frameworks?q=galliformes', 'admin')).toEqual([
      'Suivi des galliformes de montagne',
    ])
    const listed = (await call('GET', '/acquisition-frameworks?q=galliformes', 'admin')).json()
    expect(listed[0].datasetCount).toBe(1)

    const updated = await call('PUT', `/datasets/${datasetId}`, 'admin', {
      name: 'Comptages printaniers Tétras-lyre',
      sourceStatus: 'Li',
      bbox: null,
      actors: [{ organismId: pneId, role: '1' }],
    })
    expect(updated.statusCode).toBe(200)
    expect(updated.json()).toMatchObject({
      name: 'Comptages printaniers Tétras-lyre',
      sourceStatus: 'Li',
      objective: '5.2',
      bbox: null,
      actors: [{ organismId: pneId, role: '1' }],
    })
    const got = await call('GET', `/datasets/${datasetId}`, 'admin')
    expect(got.json().actors).toHaveLength(1)

    expect((await call('DELETE', `/datasets/${datasetId}`, 'admin')).statusCode).toBe(204)
    expect((await call('GET', `/datasets/${datasetId}`, 'admin')).statusCode).toBe(404)
    expect((await call('DELETE', `/acquisition-frameworks/${frameworkId}`, 'admin')).statusCode).toBe(204)
  })

  it('shows the demo metadata by scope: admin all, agent their organism’s, observer their own', async () => {
    cookies.agent = await loginAs(t.app, 'agent')
    cookies.observer = await loginAs(t.app, 'observer')
    const pneDatasets = ['Amphibiens des lacs d’altitude', 'Observations opportunistes faune']
    expect(await names('/datasets', 'admin')).toEqual(
      expect.arrayContaining([...pneDatasets, 'Oiseaux observés en Hautes-Alpes']),
    )
    expect(await names('/datasets', 'agent')).toEqual(pneDatasets)
    expect(await names('/datasets', 'observer')).toEqual(['Oiseaux observés en Hautes-Alpes'])
    expect(await names('/acquisition-frameworks', 'observer')).toEqual([
      'Observations naturalistes de la LPO Auvergne-Rhône-Alpes',
    ])
    expect(await names('/acquisition-frameworks', 'agent')).toEqual([
      'Inventaires faune du Parc national des Écrins',
    ])
  })

  it('isolates scopes 1, 2 and 3 across organisms, without leaking what is out of reach', async () => {
    const framework = await call('POST', '/acquisition-frameworks', 'pne1', { name: 'Cadre de pne1' })
    expect(framework.statusCode).toBe(201)
    const dataset = await call('POST', '/datasets', 'pne1', {
      frameworkId: framework.json().id,
      name: 'Jeu de pne1',
      shortName: 'pne1',
    })
    expect(dataset.statusCode).toBe(201)
    const id = dataset.json().id

    // Only the digitiser (scope 1) and scope 3 see it while no organism is an actor.
    expect(await names('/datasets?q=Jeu de pne1', 'pne1')).toEqual(['Jeu de pne1'])
    expect(await names('/datasets?q=Jeu de pne1', 'pne2')).toEqual([])
    expect(await names('/datasets?q=Jeu de pne1', 'all3')).toEqual(['Jeu de pne1'])
    // pne1 (scope 1) does not see the demo datasets their organism is an actor of.
    expect(await names('/datasets', 'pne1')).toEqual(['Jeu de pne1'])

    const withOrganism = await call('PUT', `/datasets/${id}`, 'pne1', {
      actors: [{ organismId: pneId, role: '5' }],
    })
    expect(withOrganism.statusCode).toBe(200)
    expect(await names('/datasets?q=Jeu de pne1', 'pne2')).toEqual(['Jeu de pne1'])
    expect(await names('/datasets?q=Jeu de pne1', 'lpo2')).toEqual([])
    // The framework is visible through its visible dataset.
    expect(await names('/acquisition-frameworks?q=Cadre de pne1', 'pne2')).toEqual(['Cadre de pne1'])
    expect(await names('/acquisition-frameworks?q=Cadre de pne1', 'lpo2')).toEqual([])

    // Out of scope: 404 for read, update and delete, and nothing changes.
    for (const [method, payload] of [
      ['GET', undefined],
      ['PUT', { name: 'pris' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await call(method, `/datasets/${id}`, 'lpo2', payload)
      expect(response.statusCode, method).toBe(404)
      expect(response.json().error.code).toBe('DATASET_NOT_FOUND')
    }
    expect(
      (await call('PUT', `/acquisition-frameworks/${framework.json().id}`, 'lpo2', { name: 'x' })).statusCode,
    ).toBe(404)
    expect((await call('GET', `/datasets/${id}`, 'pne1')).json().name).toBe('Jeu de pne1')
    // lpo2 cannot create a dataset in a framework it does not see.
    const foreign = await call('POST', '/datasets', 'lpo2', {
      frameworkId: framework.json().id,
      name: 'x',
      shortName: 'x',
    })
    expect(foreign.statusCode).toBe(400)
    expect(foreign.json().error).toMatchObject({
      code: 'FRAMEWORK_NOT_FOUND',
      details: { field: 'frameworkId' },
    })

    // A reader (R only) gets 403 on writes.
    expect((await call('POST', '/acquisition-frameworks', 'reader', { name: 'x' })).statusCode).toBe(403)
  })

  it('closing a framework deactivates its datasets in one go; a closed framework takes no open dataset', async () => {
    const framework = (
      await call('POST', '/acquisition-frameworks', 'admin', { name: 'Cadre à fermer' })
    ).json()
    for (const name of ['Jeu A', 'Jeu B']) {
      const r = await call('POST', '/datasets', 'admin', { frameworkId: framework.id, name, shortName: name })
      expect(r.json().active).toBe(true)
    }
    const closed = await call('PUT', `/acquisition-frameworks/${framework.id}`, 'admin', { isClosed: true })
    expect(closed.statusCode).toBe(200)
    expect(closed.json()).toMatchObject({ isClosed: true, closedAt: expect.any(String) })
    const datasets = (await call('GET', `/datasets?framework=${framework.id}`, 'admin')).json()
    expect(datasets.map((d: { active: boolean }) => d.active)).toEqual([false, false])
    expect((await call('GET', `/datasets?framework=${framework.id}&active=true`, 'admin')).json()).toEqual([])

    const reopen = await call('PUT', `/datasets/${datasets[0].id}`, 'admin', { active: true })
    expect(reopen.statusCode).toBe(409)
    expect(reopen.json().error.code).toBe('FRAMEWORK_CLOSED')
    const add = await call('POST', '/datasets', 'admin', {
      frameworkId: framework.id,
      name: 'C',
      shortName: 'C',
    })
    expect(add.statusCode).toBe(409)

    const busy = await call('DELETE', `/acquisition-frameworks/${framework.id}`, 'admin')
    expect(busy.statusCode).toBe(409)
    expect(busy.json().error.code).toBe('FRAMEWORK_HAS_DATASETS')
  })

  it('refuses to delete a dataset that observations reference (any table with a foreign key to it)', async () => {
    const pool = t.app.db.pool
    const framework = (
      await call('POST', '/acquisition-frameworks', 'admin', { name: 'Cadre observé' })
    ).json()
    const dataset = (
      await call('POST', '/datasets', 'admin', {
        frameworkId: framework.id,
        name: 'Jeu observé',
        shortName: 'obs',
      })
    ).json()
    await pool.query(`CREATE SCHEMA fake_synthese;
      CREATE TABLE fake_synthese.observations (
        id serial PRIMARY KEY, dataset_id integer NOT NULL REFERENCES gn_meta.datasets (id))`)
    try {
      await pool.query('INSERT INTO fake_synthese.observations (dataset_id) VALUES ($1), ($1)', [dataset.id])
      const refused = await call('DELETE', `/datasets/${dataset.id}`, 'admin')
      expect(refused.statusCode).toBe(409)
      expect(refused.json().error).toMatchObject({
        code: 'DATASET_HAS_OBSERVATIONS',
        details: { references: [{ table: 'fake_synthese.observations', rows: 2 }] },
      })
      expect((await call('GET', `/datasets/${dataset.id}`, 'admin')).statusCode).toBe(200)
      await pool.query('DELETE FROM fake_synthese.observations')
      expect((await call('DELETE', `/datasets/${dataset.id}`, 'admin')).statusCode).toBe(204)
    } finally {
      await pool.query('DROP SCHEMA fake_synthese CASCADE')
    }
  })

  it('answers 400 naming the field and code for bad input, writing nothing', async () => {
    const pool = t.app.db.pool
    const count = async () =>
      (
        await pool.query(
          'SELECT (SELECT count(*) FROM gn_meta.datasets) + (SELECT count(*) FROM gn_meta.acquisition_frameworks) AS n',
        )
      ).rows[0].n
    const before = await count()
    const framework = (await call('GET', '/acquisition-frameworks', 'admin')).json()[0]

    const badCode = await call('POST', '/acquisition-frameworks', 'admin', {
      name: 'x',
      territorialLevel: '42',
    })
    expect(badCode.statusCode).toBe(400)
    expect(badCode.json().error).toMatchObject({
      code: 'UNKNOWN_NOMENCLATURE',
      details: [{ field: 'territorialLevel', type: 'NIVEAU_TERRITORIAL', code: '42' }],
    })
    expect(badCode.json().error.message).toContain('territorialLevel')

    const badRole = await call('POST', '/datasets', 'admin', {
      frameworkId: framework.id,
      name: 'x',
      shortName: 'x',
      actors: [{ organismId: pneId, role: '99' }],
    })
    expect(badRole.statusCode).toBe(400)
    expect(badRole.json().error.details).toEqual([
      { field: 'actors.0.role', type: 'ROLE_ACTEUR', code: '99' },
    ])

    const noActor = await call('POST', '/datasets', 'admin', {
      frameworkId: framework.id,
      name: 'x',
      shortName: 'x',
      actors: [{ role: '1' }],
    })
    expect(noActor.statusCode).toBe(400)
    expect(noActor.json().error.code).toBe('ACTOR_REQUIRES_ORGANISM_OR_USER')

    const ghost = await call('POST', '/acquisition-frameworks', 'admin', {
      name: 'x',
      actors: [{ organismId: 999999, role: '1' }],
    })
    expect(ghost.statusCode).toBe(400)
    expect(ghost.json().error).toMatchObject({
      code: 'REFERENCE_NOT_FOUND',
      details: { field: 'actors', column: 'organism_id' },
    })
    const noList = await call('POST', '/datasets', 'admin', {
      frameworkId: framework.id,
      name: 'x',
      shortName: 'x',
      taxonListId: 999999,
    })
    expect(noList.statusCode).toBe(400)
    expect(noList.json().error).toMatchObject({
      code: 'REFERENCE_NOT_FOUND',
      details: { field: 'taxonListId' },
    })

    const bowtie = await call('POST', '/datasets', 'admin', {
      frameworkId: framework.id,
      name: 'x',
      shortName: 'x',
      bbox: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [1, 0],
            [0, 1],
            [0, 0],
          ],
        ],
      },
    })
    expect(bowtie.statusCode).toBe(400)
    expect(bowtie.json().error.code).toBe('INVALID_GEOMETRY')
    expect(bowtie.json().error.message).toMatch(/Self-intersection/)

    const dates = await call('POST', '/acquisition-frameworks', 'admin', {
      name: 'x',
      startDate: '2025-01-01',
      endDate: '2024-01-01',
    })
    expect(dates.statusCode).toBe(400)
    const missing = await call('POST', '/datasets', 'admin', { frameworkId: framework.id, name: 'x' })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().error.code).toBe('VALIDATION_ERROR')

    expect(await count()).toBe(before)
  })

  it('offers actor choices within the caller’s reach', async () => {
    const own = (await call('GET', '/actors-options', 'pne1')).json()
    expect(own.organisms.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining([PNE, LPO]))
    expect(own.users.map((u: { id: number }) => u.id)).toEqual([ids.pne1])
    const organism = (await call('GET', '/actors-options', 'pne2')).json()
    expect(organism.users.every((u: { organismId: number }) => u.organismId === pneId)).toBe(true)
    expect(organism.users.length).toBeGreaterThan(2)
    const all = (await call('GET', '/actors-options', 'all3')).json()
    expect(all.users.length).toBeGreaterThan(organism.users.length)
  })
})
