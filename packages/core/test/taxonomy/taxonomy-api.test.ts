import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findTaxa, isInSubtree, taxonSubtreeSql } from '../../src/taxonomy/taxonomy-service.ts'
import { importTaxrefFile } from '../../src/taxonomy/taxref-import.ts'
import { createTestApp, createUser, loginAs, type TestApp } from '../helpers/index.ts'
import { demoRows, syntheticRows, writeTaxref } from './taxref-fixture.ts'

describe('taxonomy API', () => {
  let t: TestApp
  let reader: string
  let admin: string
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    await importTaxrefFile(t.app.db.pool, writeTaxref([...demoRows(), ...syntheticRows()]))
    await createUser(t.app.db.pool, { login: 'reader' })
    reader = await loginAs(t.app, 'reader')
    admin = await loginAs(t.app, 'admin')
  })
  afterAll(() => t.close())

  const get = async (url: string, cookie = reader) =>
    t.app.inject({ method: 'GET', url, headers: { cookie } })
  const search = async (query: string) => {
    const response = await get(`/api/taxonomy/taxa?${query}`)
    expect(response.statusCode, response.body).toBe(200)
    return response.json() as {
      cd_nom: number
      cd_ref: number
      matched: string
      isValid: boolean
      [k: string]: unknown
    }[]
  }
  const cdNoms = async (query: string) => (await search(query)).map((h) => h.cd_nom)

  describe('autocomplete', () => {
    it('ignores case and accents, on vernacular names ("ecrevisse" finds "Écrevisse à pieds blancs")', async () => {
      const hits = await search('q=ecrevisse')
      expect(hits[0]).toMatchObject({
        cd_nom: 18437,
        lb_nom: 'Austropotamobius pallipes',
        nom_vern: 'Écrevisse à pattes blanches, Écrevisse à pieds blancs',
        matched: 'vernacular',
        isValid: true,
        group2_inpn: 'Crustacés',
      })
      expect(hits.map((h) => h.cd_nom)).toContain(90000007)
      expect(await cdNoms('q=%C3%89CREVISSE%20A%20PIEDS')).toEqual([18437])
      expect(await cdNoms('q=lynx%20BOR%C3%89')).toEqual([60612])
      expect(await cdNoms('q=grenouille')).toEqual([351])
      expect(await cdNoms('q=ABLETTE')).toEqual([67111])
    })

    it('matches a later word of a name: "pieds blancs", "temporaria"', async () => {
      expect(await cdNoms('q=pieds%20blan')).toEqual([18437])
      expect(await cdNoms('q=temporaria')).toEqual([351])
      // A leading short word is skipped: the name is found from the next words.
      expect(await cdNoms(`q=${encodeURIComponent('à pieds bl')}`)).toEqual([18437])
      expect(await cdNoms(`q=${encodeURIComponent('de Vorasil')}`)).toEqual([90000008])
    })

    it('matches the first letters of genus and species ("alb alb"), valid names first, synonyms → valid name', async () => {
      const hits = await search('q=alb%20alb')
      expect(hits).toEqual([
        expect.objectContaining({
          cd_nom: 67111,
          cd_ref: 67111,
          lb_nom: 'Alburnus alburnus',
          lb_auteur: '(Linnaeus, 1758)',
          nom_vern: 'Ablette',
          rang: 'ES',
          regne: 'Animalia',
          group2_inpn: 'Poissons',
          matched: 'scientific',
          isValid: true,
        }),
        expect.objectContaining({
          cd_nom: 90000013,
          cd_ref: 67111,
          lb_nom: 'Alburnus albisynthus',
          nom_valide: 'Alburnus alburnus (Linnaeus, 1758)',
          isValid: false,
        }),
      ])
      // A synonym that sorts first alphabetically still comes after the valid names.
      const synth = await search('q=synthgenus%20al')
      expect(synth.map((h) => [h.cd_nom, h.isValid])).toEqual([[90000007, true]])
      const alpha = await search('q=alpha')
      expect(alpha.map((h) => [h.cd_nom, h.cd_ref, h.isValid])).toEqual([
        [90000007, 90000007, true],
        [90000010, 90000007, false],
      ])
    })

    it('filters by kingdom, INPN group 2 and taxon list; honours limit', async () => {
      expect(await cdNoms('q=a&kingdom=Plantae')).toEqual([81065])
      const mammals = await search(`q=l&group2Inpn=${encodeURIComponent('Mammifères')}`)
      expect(mammals.map((h) => h.cd_nom)).toEqual([60612])
      expect((await search('q=s&limit=2')).length).toBe(2)
      const list = await t.app.inject({
        method: 'POST',
        url: '/api/taxonomy/lists',
        headers: { cookie: admin },
        payload: { code: 'FISH', name: 'Poissons', cdNoms: [67111] },
      })
      expect(list.statusCode, list.body).toBe(201)
      // The synonym of a listed valid name is found too (it points to the listed taxon).
      expect(await cdNoms(`q=alb&list=${list.json().id}`)).toEqual([67111, 90000013])
      expect(await cdNoms(`q=lynx&list=${list.json().id}`)).toEqual([])
    })

    it('validates its query', async () => {
      expect((await get('/api/taxonomy/taxa')).statusCode).toBe(400)
      expect((await get('/api/taxonomy/taxa?q=a&limit=1000')).json().error.code).toBe('VALIDATION_ERROR')
      expect(await cdNoms('q=%25%25')).toEqual(expect.any(Array))
    })

    it('needs a session', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/taxonomy/taxa?q=lynx' })
      expect(response.statusCode).toBe(401)
    })
  })

  describe('hierarchy', () => {
    it('gives a taxon with its parent chain, a synonym with its valid name’s chain, 404 for an unknown cd_nom', async () => {
      const response = await get('/api/taxonomy/taxa/90000009')
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({
        cd_nom: 90000009,
        rang: 'SSES',
        parent_cd_nom: 90000008,
        isValid: true,
      })
      expect(
        response.json().parents.map((p: { cd_nom: number; rang: string }) => `${p.rang} ${p.cd_nom}`),
      ).toEqual([
        'KD 90000001',
        'PH 90000002',
        'CL 90000003',
        'OR 90000004',
        'FM 90000005',
        'GN 90000006',
        'ES 90000008',
      ])
      const synonym = (await get('/api/taxonomy/taxa/90000010')).json()
      expect(synonym).toMatchObject({ isValid: false, cd_ref: 90000007 })
      expect(synonym.parents.at(-1)).toMatchObject({ cd_nom: 90000006, lb_nom: 'Synthgenus' })
      const lynx = (await get('/api/taxonomy/taxa/60612')).json()
      expect(lynx).toMatchObject({
        lb_nom: 'Lynx lynx',
        famille: 'Felidae',
        group2_inpn: 'Mammifères',
        parents: [],
      })
      const missing = await get('/api/taxonomy/taxa/424242424')
      expect(missing.statusCode).toBe(404)
      expect(missing.json().error.code).toBe('TAXON_NOT_FOUND')
    })

    it('lists the valid children of a taxon', async () => {
      const children = (await get('/api/taxonomy/taxa/90000006/children')).json()
      expect(children.map((c: { cd_nom: number }) => c.cd_nom)).toEqual([90000007, 90000008])
      expect((await get('/api/taxonomy/taxa/90000008/children')).json()).toEqual([
        expect.objectContaining({ cd_nom: 90000009, lb_nom: 'Synthgenus beta gamma' }),
      ])
      expect((await get('/api/taxonomy/taxa/60612/children')).json()).toEqual([])
      expect((await get('/api/taxonomy/taxa/424242424/children')).statusCode).toBe(404)
    })

    it('filters "this taxon and everything below it" by the parent chain and by the classification columns', async () => {
      const pool = t.app.db.pool
      const subtree = async (ancestor: number) =>
        (
          await pool.query(
            `SELECT t.cd_nom FROM taxonomie.taxref t WHERE ${taxonSubtreeSql('t.cd_nom', '$1')} ORDER BY 1`,
            [ancestor],
          )
        ).rows.map((r) => r.cd_nom)
      // Chain: family Synthidae → genus, species, subspecies, and the synonym (through its valid name).
      expect(await subtree(90000005)).toEqual([90000005, 90000006, 90000007, 90000008, 90000009, 90000010])
      expect(await subtree(90000010)).toEqual([90000007, 90000010])
      // Classification only: family Synthoidae has no child rows, its species says FAMILLE = Synthoidae.
      expect(await subtree(90000011)).toEqual([90000011, 90000012])
      // Kingdom Animalia: the chain below it, plus every taxon whose REGNE is Animalia (the demo species).
      const animalia = await subtree(90000001)
      expect(animalia).toEqual(
        expect.arrayContaining([60612, 351, 67111, 18437, 90000009, 90000012, 90000013]),
      )
      expect(animalia).not.toContain(81065)
      expect(await isInSubtree(pool, 60612, 90000001)).toBe(true)
      expect(await isInSubtree(pool, 60612, 90000005)).toBe(false)
      expect(await isInSubtree(pool, 90000009, 90000006)).toBe(true)
    })

    it('findTaxa checks cd_nom in bulk', async () => {
      const { found, missing } = await findTaxa(t.app.db.pool, [60612, 351, 1, 60612, 424242424])
      expect([...found.keys()].sort()).toEqual([351, 60612])
      expect(found.get(60612)).toMatchObject({ lbNom: 'Lynx lynx', cdRef: 60612, group2Inpn: 'Mammifères' })
      expect(missing).toEqual([1, 424242424])
    })
  })

  describe('taxon lists', () => {
    const send = (
      method: 'POST' | 'PUT' | 'DELETE',
      url: string,
      payload?: unknown,
      cookie = admin,
      contentType?: string,
    ) =>
      t.app.inject({
        method,
        url,
        headers: { cookie, ...(contentType ? { 'content-type': contentType } : {}) },
        payload: payload as string,
      })

    it('create, read, update, delete (ADMIN C/U/D; any user reads)', async () => {
      const created = await send('POST', '/api/taxonomy/lists', {
        code: 'VERT',
        name: 'Vertébrés',
        description: 'Faune vertébrée',
        cdNoms: [60612, 351, 351],
      })
      expect(created.statusCode, created.body).toBe(201)
      const list = created.json()
      expect(list).toMatchObject({
        code: 'VERT',
        name: 'Vertébrés',
        description: 'Faune vertébrée',
        taxaCount: 2,
      })
      expect((await get('/api/taxonomy/lists')).json().map((l: { code: string }) => l.code)).toContain('VERT')
      expect((await get(`/api/taxonomy/lists/${list.id}`)).json()).toMatchObject({
        id: list.id,
        taxaCount: 2,
      })
      const taxa = (await get(`/api/taxonomy/lists/${list.id}/taxa`)).json()
      expect(taxa.map((x: { lb_nom: string }) => x.lb_nom)).toEqual(['Lynx lynx', 'Rana temporaria'])

      const duplicate = await send('POST', '/api/taxonomy/lists', { code: 'VERT', name: 'Autre' })
      expect(duplicate.statusCode).toBe(409)
      const unknown = await send('POST', '/api/taxonomy/lists', {
        code: 'X',
        name: 'X',
        cdNoms: [60612, 7, 8],
      })
      expect(unknown.statusCode).toBe(400)
      expect(unknown.json().error).toMatchObject({ code: 'UNKNOWN_CD_NOM', details: { unknown: [7, 8] } })
      expect((await get('/api/taxonomy/lists')).json().map((l: { code: string }) => l.code)).not.toContain(
        'X',
      )

      const updated = await send('PUT', `/api/taxonomy/lists/${list.id}`, {
        name: 'Vertébrés (démo)',
        cdNoms: [67111],
      })
      expect(updated.statusCode, updated.body).toBe(200)
      expect(updated.json()).toMatchObject({ code: 'VERT', name: 'Vertébrés (démo)', taxaCount: 1 })

      expect((await send('DELETE', `/api/taxonomy/lists/${list.id}`)).statusCode).toBe(204)
      const gone = await get(`/api/taxonomy/lists/${list.id}`)
      expect(gone.statusCode).toBe(404)
      expect(gone.json().error.code).toBe('TAXON_LIST_NOT_FOUND')
      expect((await send('PUT', `/api/taxonomy/lists/${list.id}`, { name: 'x' })).statusCode).toBe(404)
      expect((await send('DELETE', `/api/taxonomy/lists/${list.id}`)).statusCode).toBe(404)
    })

    it('imports cd_nom from a CSV (or JSON); unknown cd_nom → 400 listing them, nothing written', async () => {
      const list = (await send('POST', '/api/taxonomy/lists', { code: 'CSV', name: 'Depuis un CSV' })).json()
      const url = `/api/taxonomy/lists/${list.id}/import`
      const csv = await send(
        'POST',
        url,
        'cd_nom;lb_nom\n60612;Lynx lynx\n351;Rana temporaria\n',
        admin,
        'text/csv',
      )
      expect(csv.statusCode, csv.body).toBe(200)
      expect(csv.json()).toMatchObject({ received: 2, added: 2, list: { taxaCount: 2 } })
      const plain = await send('POST', url, '67111\n60612\n', admin, 'text/csv')
      expect(plain.json()).toMatchObject({ received: 2, added: 1, list: { taxaCount: 3 } })

      const unknown = await send('POST', url, 'cd_nom\n18437\n99999999\n88888888\n', admin, 'text/csv')
      expect(unknown.statusCode).toBe(400)
      expect(unknown.json().error).toMatchObject({
        code: 'UNKNOWN_CD_NOM',
        details: { unknown: [88888888, 99999999] },
      })
      const bad = await send('POST', url, 'cd_nom\n18437\nLynx\n', admin, 'text/csv')
      expect(bad.statusCode).toBe(400)
      expect(bad.json().error).toMatchObject({
        code: 'INVALID_CSV',
        message: expect.stringContaining('Line 3'),
      })
      expect((await get(`/api/taxonomy/lists/${list.id}`)).json().taxaCount).toBe(3)

      const replaced = await send('POST', `${url}?mode=replace`, { cdNoms: [18437] })
      expect(replaced.statusCode, replaced.body).toBe(200)
      expect(replaced.json()).toMatchObject({ received: 1, added: 1, list: { taxaCount: 1 } })
      expect((await send('POST', '/api/taxonomy/lists/424242/import', { cdNoms: [18437] })).statusCode).toBe(
        404,
      )
    })

    it('refuses writes to a user without ADMIN permissions', async () => {
      const list = (await send('POST', '/api/taxonomy/lists', { code: 'RO', name: 'Lecture' })).json()
      for (const [method, url, payload] of [
        ['POST', '/api/taxonomy/lists', { code: 'NO', name: 'No' }],
        ['PUT', `/api/taxonomy/lists/${list.id}`, { name: 'No' }],
        ['DELETE', `/api/taxonomy/lists/${list.id}`, undefined],
        ['POST', `/api/taxonomy/lists/${list.id}/import`, { cdNoms: [60612] }],
      ] as const) {
        const response = await send(method, url, payload, reader)
        expect(response.statusCode, `${method} ${url}`).toBe(403)
        expect(response.json().error.code).toBe('PERMISSION_DENIED')
      }
      expect((await get(`/api/taxonomy/lists/${list.id}`)).json().taxaCount).toBe(0)
    })
  })
})
