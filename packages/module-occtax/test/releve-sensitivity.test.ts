import { createTestApp, createUser, type GrantSpec, loginAs, type TestApp } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const LYNX = 60612
const RANA = 351
const ALCHEMILLA = 81065
const P = { type: 'Point', coordinates: [6.2123, 44.8123] }

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies read by the assertions
type Json = Record<string, any>
const occtax = (scope: 1 | 2 | 3, actions: GrantSpec['action'][]): GrantSpec[] =>
  actions.map((action) => ({ module: 'OCCTAX', action, scope }))

describe('Occtax reads blur relevés of sensitive taxa for readers without precise access (ADR 15)', () => {
  let t: TestApp
  const cookies: Record<string, string> = {}
  const ids: Record<string, number> = {}

  const api = async (login: string, method: string, url: string, payload?: unknown) => {
    const r = await t.app.inject({
      method: method as 'GET',
      url: `/api/occtax${url}`,
      headers: { cookie: cookies[login]! },
      ...(payload === undefined ? {} : { payload: payload as Json }),
    })
    return { status: r.statusCode, body: r.body ? (r.json() as Json) : null }
  }
  const releve = (datasetId: number, taxa: number[]) => ({
    datasetId,
    observersText: 'A. Martin',
    dateMin: '2024-06-01',
    geometry: P,
    placeName: 'Sous la falaise',
    altitudeMin: 1800,
    comment: 'Le terrier est derrière le gros bloc',
    occurrences: taxa.map((cdNom) => ({
      cdNom,
      nomCite: String(cdNom),
      countings: [{ countMin: 1, countMax: 1 }],
    })),
  })

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    await pool.query(
      `INSERT INTO gn_sensitivity.rules (cd_nom, level, source) VALUES ($1, 2, 'test'), ($2, 4, 'test');
       SELECT gn_sensitivity.refresh_rule_taxa()`
        .replace('$1', String(LYNX))
        .replace('$2', String(ALCHEMILLA)),
    )
    await createUser(pool, { login: 'reader3', grants: occtax(3, ['R']) })
    const expert = await createUser(pool, { login: 'expert3', grants: occtax(3, ['R']) })
    await pool.query('UPDATE core.permissions SET sensitive_precise = true WHERE user_id = $1', [expert])
    for (const login of ['observer', 'reader3', 'expert3', 'admin'])
      cookies[login] = await loginAs(t.app, login)
    const datasetId = (await api('observer', 'GET', '/datasets')).body![0].id
    for (const [name, taxa] of [
      ['plain', [RANA]],
      ['lynx', [RANA, LYNX]],
      ['hidden', [RANA, ALCHEMILLA]],
    ] as const) {
      const created = await api('observer', 'POST', '/releves', releve(datasetId, [...taxa]))
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      ids[name] = created.body!.id
    }
  })
  afterAll(() => t?.close())

  it('shows the writer and precise readers their relevé exactly, with each counting’s computed level', async () => {
    for (const login of ['observer', 'expert3', 'admin']) {
      const lynx = await api(login, 'GET', `/releves/${ids.lynx}`)
      expect(lynx.status).toBe(200)
      expect(lynx.body!.geometry).toEqual(P)
      expect(lynx.body!.placeName).toBe('Sous la falaise')
      expect(lynx.body!.sensitivity).toEqual({ level: 2, blurred: false })
      const levels = lynx.body!.occurrences.map((o: Json) => [o.cdNom, o.countings[0].sensitivityLevel])
      expect(levels).toEqual([
        [RANA, 0],
        [LYNX, 2],
      ])
      expect((await api(login, 'GET', `/releves/${ids.hidden}`)).status).toBe(200)
    }
  })

  it('blurs the whole relevé (geometry = the 10 km cell, no place, altitude, comment) for others; hides level 4', async () => {
    const lynx = await api('reader3', 'GET', `/releves/${ids.lynx}`)
    expect(lynx.status).toBe(200)
    expect(lynx.body!.sensitivity).toEqual({ level: 2, blurred: true })
    expect(lynx.body!.geometry.type).toMatch(/Polygon/)
    expect(lynx.body!).toMatchObject({ placeName: null, altitudeMin: null, comment: null })
    const plain = await api('reader3', 'GET', `/releves/${ids.plain}`)
    expect(plain.body!.geometry).toEqual(P)
    expect((await api('reader3', 'GET', `/releves/${ids.hidden}`)).status).toBe(404)

    const list = await api('reader3', 'GET', '/releves?limit=100')
    const byId = new Map((list.body!.items as Json[]).map((i) => [i.id, i]))
    expect(byId.has(ids.hidden)).toBe(false)
    expect(byId.get(ids.lynx)!.geometry.type).toMatch(/Polygon/)
    expect(byId.get(ids.lynx)!.placeName).toBeNull()
    expect(byId.get(ids.plain)!.geometry).toEqual(P)
  })
})
