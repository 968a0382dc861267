import { AppError } from '@biodiv/core'
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
import { remapSyntheseError } from '../src/releve-validation.ts'

const PNE = DEMO_ORGANISM
const LPO = DEMO_PARTNER
const LYNX = 60612
const RANA = 351
const ALBURNUS = 67111

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies read by the assertions
type Json = Record<string, any>
const all = (scope: 1 | 2 | 3, actions: GrantSpec['action'][] = ['C', 'R', 'U', 'D']): GrantSpec[] =>
  actions.map((action) => ({ module: 'OCCTAX', action, scope }))

describe('Occtax relevés API: nested writes, synthese rows, scopes', () => {
  let t: TestApp
  const cookies: Record<string, string> = {}
  const users: Record<string, number> = {}
  const ds: Record<string, number> = {}

  const api = async (login: string, method: string, url: string, payload?: unknown, headers = {}) => {
    const response = await t.app.inject({
      method: method as 'GET',
      url: `/api/occtax${url}`,
      headers: { cookie: cookies[login]!, ...headers },
      ...(payload === undefined ? {} : { payload: payload as Json }),
    })
    return { status: response.statusCode, body: response.body ? (response.json() as Json) : null, response }
  }
  const query = async (sql: string, params: unknown[] = []) => (await t.app.db.pool.query(sql, params)).rows
  /** Every row Occtax wrote, here and in the synthese: a failed request must leave this unchanged. */
  const snapshot = async () =>
    (
      await query(
        `SELECT (SELECT count(*) FROM occtax.releves)::int AS releves,
                (SELECT count(*) FROM occtax.cor_releve_observer)::int AS observers,
                (SELECT count(*) FROM occtax.occurrences)::int AS occurrences,
                (SELECT count(*) FROM occtax.countings)::int AS countings,
                (SELECT count(*) FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
                  WHERE src.name = 'OCCTAX')::int AS synthese,
                (SELECT md5(string_agg(row_to_json(x)::text, '' ORDER BY x.id)) FROM (
                   SELECT s.id, s.count_min, s.count_max, s.cd_nom, s.date_min, s.observers, s.meta_update_date
                     FROM gn_synthese.synthese s) x) AS synthese_hash,
                (SELECT md5(string_agg(row_to_json(r)::text, '' ORDER BY r.id)) FROM occtax.releves r) AS releves_hash,
                (SELECT md5(string_agg(row_to_json(c)::text, '' ORDER BY c.id)) FROM occtax.countings c)
                  AS countings_hash`,
      )
    )[0]
  /** The synthese rows of a relevé, with their nomenclatures as codes. */
  const syntheseOf = async (releveUuid: string) =>
    query(
      `SELECT s.id::int, s.unique_id_sinp::text AS uuid, s.unique_id_sinp_grp::text AS grp,
              s.entity_source_pk_value AS pk, s.id_dataset AS dataset, s.cd_nom, s.nom_cite, s.count_min, s.count_max,
              to_char(s.date_min, 'YYYY-MM-DD HH24:MI') AS date_min, to_char(s.date_max, 'YYYY-MM-DD HH24:MI') AS date_max,
              s.observers, s.determiner, s.id_digitiser, s.altitude_min, s.altitude_max, s.place_name,
              s.comment_context, s.comment_description, s.additional_data, ST_AsText(s.the_geom_4326) AS wkt,
              src.name AS source, src.url_template,
              (SELECT array_agg(id_role ORDER BY id_role) FROM gn_synthese.cor_observer_synthese o
                WHERE o.id_synthese = s.id) AS observer_ids,
              (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_life_stage) AS life_stage,
              (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_sex) AS sex,
              (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_obj_count) AS obj_count,
              (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_obs_technique) AS obs_technique,
              (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_grp_typ) AS grp_typ,
              (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_observation_status) AS observation_status
         FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
        WHERE s.unique_id_sinp_grp = $1 ORDER BY s.entity_source_pk_value::int`,
      [releveUuid],
    )

  const releveBody = (datasetId: number, overrides: Json = {}): Json => ({
    datasetId,
    observersText: 'J. Dupont',
    dateMin: '2026-05-01',
    geometry: { type: 'Point', coordinates: [6.2, 44.8] },
    occurrences: [{ cdNom: LYNX, countings: [{ countMin: 1, countMax: 2 }] }],
    ...overrides,
  })

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    for (const [login, organism, grants] of [
      ['pne1', PNE, all(1)],
      ['pne2', PNE, all(2)],
      ['lpo1', LPO, all(1)],
      ['lpo2', LPO, all(2)],
      ['all3', LPO, all(3)],
      ['reader', PNE, all(3, ['R'])],
      ['mixed', PNE, [...all(3, ['R']), ...all(1, ['U', 'D'])]],
      ['nobody', PNE, []],
    ] as const) {
      users[login] = await createUser(pool, { login, organism, grants: [...grants] })
      cookies[login] = await loginAs(t.app, login)
    }
    cookies.observer = await loginAs(t.app, 'observer')
    users.observer = (await query(`SELECT id FROM core.users WHERE login = 'observer'`))[0].id
    await pool.query(`UPDATE core.users SET first_name = 'Paul', last_name = 'Nez' WHERE id = $1`, [
      users.pne1,
    ])
    for (const row of await query('SELECT id, short_name FROM gn_meta.datasets')) ds[row.short_name] = row.id
    // pne1 is an actor of the amphibians dataset (scope 1 writes there); an inactive dataset of the park.
    await pool.query(
      `INSERT INTO gn_meta.dataset_actors (dataset_id, user_id, role_id)
       VALUES ($1, $2, (SELECT n.id FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types t
                         ON t.id = n.type_id WHERE t.mnemonique = 'ROLE_ACTEUR' AND n.cd_nomenclature = '1'))`,
      [ds['Amphibiens lacs PNE'], users.pne1],
    )
    const inactive = await query(
      `INSERT INTO gn_meta.datasets (framework_id, name, short_name, active)
       SELECT framework_id, 'Ancien inventaire', 'Inactif PNE', false FROM gn_meta.datasets WHERE id = $1
       RETURNING id`,
      [ds['Faune opportuniste PNE']],
    )
    ds.inactive = inactive[0].id
    await pool.query(
      `INSERT INTO gn_meta.dataset_actors (dataset_id, organism_id, role_id)
       SELECT $1, organism_id, role_id FROM gn_meta.dataset_actors WHERE dataset_id = $2 AND organism_id IS NOT NULL`,
      [ds.inactive, ds['Faune opportuniste PNE']],
    )
  })
  afterAll(() => t?.close())

  describe('nested create', () => {
    let releve: Json

    it('writes the relevé, its occurrences and countings, and one synthese row per counting', async () => {
      const before = await snapshot()
      const { status, body } = await api(
        'pne1',
        'POST',
        '/releves',
        releveBody(ds['Amphibiens lacs PNE']!, {
          observerIds: [users.pne1],
          observersText: 'J. Dupont',
          dateMax: '2026-05-01',
          hourMin: '08:30',
          hourMax: '10:00',
          geometry: { type: 'Point', coordinates: [6.2, 44.8] },
          altitudeMin: 1200,
          altitudeMax: 1250,
          placeName: 'Lac de Pétarel',
          habitat: 'Pelouse alpine',
          comment: 'Beau temps',
          grpTyp: 'OBS',
          grpMethod: 'Itinéraire',
          occurrences: [
            {
              cdNom: LYNX,
              nomCite: 'Lynx boréal',
              obsTechnique: '0',
              observationStatus: 'Pr',
              determiner: 'A. Martin',
              comment: 'Traces fraîches',
              countings: [
                { lifeStage: '2', sex: '3', objCount: 'IND', typeCount: 'Co', countMin: 1, countMax: 3 },
                { lifeStage: '3', countMin: 2, countMax: 2 },
              ],
            },
            { cdNom: RANA, countings: [{ countMin: 10, countMax: 20 }] },
          ],
        }),
      )
      expect(status, JSON.stringify(body)).toBe(201)
      releve = body!
      expect(releve).toMatchObject({
        datasetId: ds['Amphibiens lacs PNE'],
        datasetName: 'Amphibiens des lacs d’altitude',
        observerIds: [users.pne1],
        observers: [{ id: users.pne1, name: 'Paul Nez' }],
        observersText: 'J. Dupont',
        dateMin: '2026-05-01',
        dateMax: '2026-05-01',
        hourMin: '08:30',
        hourMax: '10:00',
        geometry: { type: 'Point', coordinates: [6.2, 44.8] },
        altitudeMin: 1200,
        altitudeMax: 1250,
        placeName: 'Lac de Pétarel',
        habitat: 'Pelouse alpine',
        comment: 'Beau temps',
        grpTyp: 'OBS',
        grpMethod: 'Itinéraire',
        digitiserId: users.pne1,
      })
      expect(releve.occurrences).toHaveLength(2)
      const [lynx, rana] = releve.occurrences
      expect(lynx).toMatchObject({
        cdNom: LYNX,
        nomCite: 'Lynx boréal',
        lbNom: 'Lynx lynx',
        obsTechnique: '0',
        observationStatus: 'Pr',
        determiner: 'A. Martin',
        comment: 'Traces fraîches',
      })
      expect(lynx.countings.map((c: Json) => [c.lifeStage, c.sex, c.countMin, c.countMax])).toEqual([
        ['2', '3', 1, 3],
        ['3', '6', 2, 2], // left-out sex: the instance default (SEXE 6), kept in the relevé too
      ])
      expect(rana).toMatchObject({ cdNom: RANA, nomCite: 'Rana temporaria', obsTechnique: '21' })

      const rows = await syntheseOf(releve.uuid)
      expect(rows).toHaveLength(3)
      const countings = releve.occurrences.flatMap((o: Json) => o.countings)
      expect(rows.map((r) => r.uuid)).toEqual(countings.map((c: Json) => c.uniqueIdSinp))
      expect(rows.map((r) => r.id)).toEqual(countings.map((c: Json) => c.syntheseId))
      expect(rows.map((r) => r.pk)).toEqual(countings.map((c: Json) => String(c.id)))
      expect(rows[0]).toMatchObject({
        grp: releve.uuid,
        source: 'OCCTAX',
        url_template: '/occtax/countings/{pk}',
        dataset: ds['Amphibiens lacs PNE'],
        cd_nom: LYNX,
        nom_cite: 'Lynx boréal',
        count_min: 1,
        count_max: 3,
        date_min: '2026-05-01 08:30',
        date_max: '2026-05-01 10:00',
        observers: 'Paul Nez, J. Dupont',
        observer_ids: [users.pne1],
        determiner: 'A. Martin',
        id_digitiser: users.pne1,
        altitude_min: 1200,
        altitude_max: 1250,
        place_name: 'Lac de Pétarel',
        comment_context: 'Beau temps',
        comment_description: 'Traces fraîches',
        additional_data: { habitat: 'Pelouse alpine', grpMethod: 'Itinéraire' },
        wkt: 'POINT(6.2 44.8)',
        life_stage: '2',
        sex: '3',
        obj_count: 'IND',
        obs_technique: '0',
        grp_typ: 'OBS',
        observation_status: 'Pr',
      })
      expect(rows[1]).toMatchObject({ life_stage: '3', sex: '6', count_min: 2, cd_nom: LYNX })
      expect(rows[2]).toMatchObject({
        cd_nom: RANA,
        nom_cite: 'Rana temporaria',
        count_min: 10,
        count_max: 20,
      })
      const after = await snapshot()
      expect(after.releves - before.releves).toBe(1)
      expect(after.occurrences - before.occurrences).toBe(2)
      expect(after.countings - before.countings).toBe(3)
      expect(after.synthese - before.synthese).toBe(3)

      // The synthese sheet links a row to its counting: the counting leads back to its relevé, within the R scope.
      const viaCounting = await api('pne1', 'GET', `/countings/${countings[2].id}`)
      expect(viaCounting.status).toBe(200)
      expect(viaCounting.body).toEqual(releve)
      for (const login of ['lpo1', 'lpo2']) {
        const outside = await api(login, 'GET', `/countings/${countings[2].id}`)
        expect(outside.status, login).toBe(404)
        expect(outside.body?.error.code).toBe('COUNTING_NOT_FOUND')
      }
      expect((await api('pne1', 'GET', '/countings/999999')).status).toBe(404)
      expect((await api('nobody', 'GET', `/countings/${countings[2].id}`)).status).toBe(403)
    })

    it('GET one gives back what POST answered', async () => {
      const { status, body } = await api('pne1', 'GET', `/releves/${releve.id}`)
      expect(status).toBe(200)
      expect(body).toEqual(releve)
    })

    it('defaults: dateMax = dateMin, countMax = countMin, dates without hours', async () => {
      const { status, body } = await api(
        'pne1',
        'POST',
        '/releves',
        releveBody(ds['Amphibiens lacs PNE']!, {
          dateMin: '2026-04-02',
          occurrences: [{ cdNom: RANA, countings: [{ countMin: 4 }] }],
        }),
      )
      expect(status, JSON.stringify(body)).toBe(201)
      expect(body).toMatchObject({ dateMax: '2026-04-02', hourMin: null, observerIds: [] })
      expect(body!.occurrences[0].countings[0]).toMatchObject({ countMin: 4, countMax: 4 })
      const [row] = await syntheseOf(body!.uuid)
      expect(row).toMatchObject({
        date_min: '2026-04-02 00:00',
        date_max: '2026-04-02 00:00',
        observers: 'J. Dupont',
        observer_ids: null,
        additional_data: null,
      })
      expect((await api('pne1', 'DELETE', `/releves/${body!.id}`)).status).toBe(204)
    })
  })

  describe('PUT replaces the nested content and the synthese follows', () => {
    it('keeps, edits, adds and removes occurrences and countings', async () => {
      const created = await api(
        'pne2',
        'POST',
        '/releves',
        releveBody(ds['Faune opportuniste PNE']!, {
          occurrences: [
            { cdNom: LYNX, countings: [{ countMin: 1 }, { countMin: 2 }] },
            { cdNom: RANA, countings: [{ countMin: 5 }] },
          ],
        }),
      )
      expect(created.status).toBe(201)
      const r = created.body!
      const [lynx, rana] = r.occurrences
      const kept = lynx.countings[0]
      const removed = [lynx.countings[1], rana.countings[0]]
      const { status, body } = await api('pne2', 'PUT', `/releves/${r.id}`, {
        ...releveBody(ds['Faune opportuniste PNE']!),
        observersText: 'M. Durand',
        dateMin: '2026-05-03',
        occurrences: [
          {
            id: lynx.id,
            cdNom: LYNX,
            nomCite: 'Lynx',
            countings: [{ id: kept.id, countMin: 7, countMax: 9, sex: '2' }, { countMin: 3 }],
          },
          { cdNom: ALBURNUS, countings: [{ countMin: 30 }] },
        ],
      })
      expect(status, JSON.stringify(body)).toBe(200)
      expect(body!.uuid).toBe(r.uuid)
      expect(body!.observersText).toBe('M. Durand')
      expect(body!.occurrences.map((o: Json) => [o.cdNom, o.nomCite])).toEqual([
        [LYNX, 'Lynx'],
        [ALBURNUS, 'Alburnus alburnus'],
      ])
      expect(body!.occurrences[0].id).toBe(lynx.id)
      expect(body!.occurrences[0].uuid).toBe(lynx.uuid)
      const keptAfter = body!.occurrences[0].countings[0]
      expect(keptAfter).toMatchObject({
        id: kept.id,
        uniqueIdSinp: kept.uniqueIdSinp,
        syntheseId: kept.syntheseId,
        countMin: 7,
        countMax: 9,
        sex: '2',
      })

      const rows = await syntheseOf(r.uuid)
      expect(rows).toHaveLength(3)
      const countings = body!.occurrences.flatMap((o: Json) => o.countings)
      expect(rows.map((x) => x.uuid)).toEqual(countings.map((c: Json) => c.uniqueIdSinp))
      expect(rows[0]).toMatchObject({
        id: kept.syntheseId,
        uuid: kept.uniqueIdSinp,
        count_min: 7,
        count_max: 9,
        sex: '2',
        nom_cite: 'Lynx',
        observers: 'M. Durand',
        date_min: '2026-05-03 00:00',
      })
      expect(rows[2]).toMatchObject({ cd_nom: ALBURNUS, count_min: 30 })
      const gone = await query(
        'SELECT count(*)::int AS n FROM gn_synthese.synthese WHERE unique_id_sinp = ANY($1::uuid[])',
        [removed.map((c: Json) => c.uniqueIdSinp)],
      )
      expect(gone[0].n).toBe(0)
      const goneOccurrence = await query('SELECT count(*)::int AS n FROM occtax.occurrences WHERE id = $1', [
        rana.id,
      ])
      expect(goneOccurrence[0].n).toBe(0)
    })

    it('keeps the validation of an edited counting', async () => {
      const r = (await api('pne2', 'POST', '/releves', releveBody(ds['Faune opportuniste PNE']!))).body!
      const counting = r.occurrences[0].countings[0]
      await query(
        `UPDATE gn_synthese.synthese
            SET id_nomenclature_valid_status = (SELECT n.id FROM ref_nomenclatures.nomenclatures n
                  JOIN ref_nomenclatures.types t ON t.id = n.type_id
                 WHERE t.mnemonique = 'STATUT_VALID' AND n.cd_nomenclature = '1'),
                validator = 'Vera Lidateur', validation_date = '2026-06-01T10:00:00Z', validation_comment = 'Photo'
          WHERE unique_id_sinp = $1`,
        [counting.uniqueIdSinp],
      )
      const edited = await api('pne2', 'PUT', `/releves/${r.id}`, {
        ...releveBody(ds['Faune opportuniste PNE']!),
        occurrences: [
          { id: r.occurrences[0].id, cdNom: LYNX, countings: [{ id: counting.id, countMin: 4 }] },
        ],
      })
      expect(edited.status).toBe(200)
      const [row] = await query(
        `SELECT s.count_min, s.validator, s.validation_comment, s.validation_date = '2026-06-01T10:00:00Z' AS same_date,
                (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_valid_status)
                  AS status
           FROM gn_synthese.synthese s WHERE s.unique_id_sinp = $1`,
        [counting.uniqueIdSinp],
      )
      expect(row).toEqual({
        count_min: 4,
        validator: 'Vera Lidateur',
        validation_comment: 'Photo',
        same_date: true,
        status: '1',
      })
    })

    it('refuses ids of another relevé or occurrence, and writes nothing', async () => {
      const a = (await api('pne2', 'POST', '/releves', releveBody(ds['Faune opportuniste PNE']!))).body!
      const b = (await api('pne2', 'POST', '/releves', releveBody(ds['Faune opportuniste PNE']!))).body!
      const before = await snapshot()
      const foreignCounting = await api('pne2', 'PUT', `/releves/${a.id}`, {
        ...releveBody(ds['Faune opportuniste PNE']!),
        occurrences: [
          { id: a.occurrences[0].id, cdNom: LYNX, countings: [{ id: b.occurrences[0].countings[0].id }] },
        ],
      })
      expect(foreignCounting.status).toBe(400)
      expect(foreignCounting.body!.error).toMatchObject({
        code: 'UNKNOWN_ID',
        details: [{ field: 'occurrences[0].countings[0].id' }],
      })
      const foreignOccurrence = await api('pne2', 'PUT', `/releves/${a.id}`, {
        ...releveBody(ds['Faune opportuniste PNE']!),
        occurrences: [{ id: b.occurrences[0].id, cdNom: LYNX, countings: [{}] }],
      })
      expect(foreignOccurrence.body!.error).toMatchObject({
        code: 'UNKNOWN_ID',
        details: [{ field: 'occurrences[0].id' }],
      })
      expect(await snapshot()).toEqual(before)
    })
  })

  describe('sub-routes', () => {
    it('add, edit and delete occurrences and countings; the last of each cannot go', async () => {
      const r = (await api('pne2', 'POST', '/releves', releveBody(ds['Faune opportuniste PNE']!))).body!
      const syntheseCount = async () => (await syntheseOf(r.uuid)).length

      const added = await api('pne2', 'POST', `/releves/${r.id}/occurrences`, {
        cdNom: RANA,
        countings: [{ countMin: 2 }, { countMin: 3, lifeStage: '3' }],
      })
      expect(added.status, JSON.stringify(added.body)).toBe(201)
      expect(added.body!.occurrences).toHaveLength(2)
      expect(await syntheseCount()).toBe(3)
      const rana = added.body!.occurrences[1]

      const edited = await api('pne2', 'PUT', `/occurrences/${rana.id}`, {
        cdNom: RANA,
        nomCite: 'Grenouille rousse',
        countings: [{ id: rana.countings[0].id, countMin: 8, countMax: 9 }],
      })
      expect(edited.status, JSON.stringify(edited.body)).toBe(200)
      expect(edited.body!.occurrences[1]).toMatchObject({ id: rana.id, nomCite: 'Grenouille rousse' })
      expect(edited.body!.occurrences[1].countings).toEqual([
        expect.objectContaining({
          id: rana.countings[0].id,
          uniqueIdSinp: rana.countings[0].uniqueIdSinp,
          countMin: 8,
        }),
      ])
      expect(await syntheseCount()).toBe(2)

      const counted = await api('pne2', 'POST', `/occurrences/${rana.id}/countings`, {
        countMin: 1,
        sex: '2',
      })
      expect(counted.status).toBe(201)
      const newCounting = counted.body!.occurrences[1].countings[1]
      expect(newCounting).toMatchObject({ countMin: 1, sex: '2' })
      expect(await syntheseCount()).toBe(3)

      const recounted = await api('pne2', 'PUT', `/countings/${newCounting.id}`, { countMin: 4, countMax: 6 })
      expect(recounted.status).toBe(200)
      expect(recounted.body!.occurrences[1].countings[1]).toMatchObject({
        id: newCounting.id,
        uniqueIdSinp: newCounting.uniqueIdSinp,
        countMin: 4,
        countMax: 6,
      })
      const row = (await syntheseOf(r.uuid)).find((x) => x.uuid === newCounting.uniqueIdSinp)
      expect(row).toMatchObject({ count_min: 4, count_max: 6 })

      const badCount = await api('pne2', 'POST', `/occurrences/${rana.id}/countings`, {
        countMin: 5,
        countMax: 1,
      })
      expect(badCount.status).toBe(400)
      expect(badCount.body!.error).toMatchObject({
        code: 'COUNT_MIN_SUP_COUNT_MAX',
        details: [{ field: 'countMin' }],
      })

      expect((await api('pne2', 'DELETE', `/countings/${newCounting.id}`)).status).toBe(204)
      expect(await syntheseCount()).toBe(2)
      const lastCounting = await api('pne2', 'DELETE', `/countings/${rana.countings[0].id}`)
      expect(lastCounting.status).toBe(409)
      expect(lastCounting.body!.error.code).toBe('LAST_COUNTING')

      expect((await api('pne2', 'DELETE', `/occurrences/${rana.id}`)).status).toBe(204)
      expect(await syntheseCount()).toBe(1)
      const lastOccurrence = await api('pne2', 'DELETE', `/occurrences/${r.occurrences[0].id}`)
      expect(lastOccurrence.status).toBe(409)
      expect(lastOccurrence.body!.error.code).toBe('LAST_OCCURRENCE')
      expect(await syntheseCount()).toBe(1)

      expect((await api('pne2', 'PUT', '/occurrences/999999', { cdNom: LYNX, countings: [{}] })).status).toBe(
        404,
      )
      expect((await api('pne2', 'DELETE', '/countings/999999')).status).toBe(404)
    })
  })

  describe('bad input: its code and field, and nothing written', () => {
    const cases: [string, (d: number) => Json, number, string, string | undefined][] = [
      [
        'count min above max',
        (d) =>
          releveBody(d, {
            occurrences: [{ cdNom: LYNX, countings: [{ countMin: 1 }, { countMin: 5, countMax: 2 }] }],
          }),
        400,
        'COUNT_MIN_SUP_COUNT_MAX',
        'occurrences[0].countings[1].countMin',
      ],
      [
        'dateMin after dateMax',
        (d) => releveBody(d, { dateMax: '2026-04-30' }),
        400,
        'DATE_MIN_SUP_DATE_MAX',
        'dateMin',
      ],
      [
        'hourMin after hourMax the same day',
        (d) => releveBody(d, { hourMin: '11:00', hourMax: '10:00' }),
        400,
        'DATE_MIN_SUP_DATE_MAX',
        'hourMin',
      ],
      [
        'unknown taxon',
        (d) =>
          releveBody(d, {
            occurrences: [
              { cdNom: LYNX, countings: [{}] },
              { cdNom: 99999999, countings: [{}] },
            ],
          }),
        400,
        'UNKNOWN_TAXON',
        'occurrences[1].cdNom',
      ],
      [
        'unknown counting nomenclature',
        (d) => releveBody(d, { occurrences: [{ cdNom: LYNX, countings: [{ lifeStage: 'XX' }] }] }),
        400,
        'UNKNOWN_NOMENCLATURE',
        'occurrences[0].countings[0].lifeStage',
      ],
      [
        'unknown occurrence nomenclature',
        (d) => releveBody(d, { occurrences: [{ cdNom: LYNX, bioStatus: 'ZZ', countings: [{}] }] }),
        400,
        'UNKNOWN_NOMENCLATURE',
        'occurrences[0].bioStatus',
      ],
      ['unknown grpTyp', (d) => releveBody(d, { grpTyp: 'NOPE' }), 400, 'UNKNOWN_NOMENCLATURE', 'grpTyp'],
      [
        'self-intersecting polygon',
        (d) =>
          releveBody(d, {
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [6, 44],
                  [6.1, 44.1],
                  [6.1, 44],
                  [6, 44.1],
                  [6, 44],
                ],
              ],
            },
          }),
        400,
        'INVALID_GEOMETRY',
        'geometry',
      ],
      [
        'unclosed ring',
        (d) =>
          releveBody(d, {
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [6, 44],
                  [6.1, 44],
                  [6.1, 44.1],
                  [6, 44.2],
                ],
              ],
            },
          }),
        400,
        'INVALID_GEOMETRY',
        'geometry',
      ],
      [
        'not a point, line or polygon',
        (d) => releveBody(d, { geometry: { type: 'MultiPoint', coordinates: [[6, 44]] } }),
        400,
        'INVALID_GEOMETRY',
        'geometry',
      ],
      [
        'out of WGS 84',
        (d) => releveBody(d, { geometry: { type: 'Point', coordinates: [950000, 6400000] } }),
        400,
        'GEOMETRY_OUT_OF_BOUNDS',
        'geometry',
      ],
      [
        'no observer',
        (d) => releveBody(d, { observersText: '  ', observerIds: [] }),
        400,
        'MISSING_OBSERVER',
        'observerIds',
      ],
      [
        'unknown observer user',
        (d) => releveBody(d, { observerIds: [999999] }),
        400,
        'UNKNOWN_USER',
        'observerIds[0]',
      ],
      [
        'no occurrence',
        (d) => releveBody(d, { occurrences: [] }),
        400,
        'VALIDATION_ERROR',
        'body.occurrences',
      ],
      [
        'an id on create',
        (d) => releveBody(d, { occurrences: [{ id: 1, cdNom: LYNX, countings: [{}] }] }),
        400,
        'UNKNOWN_ID',
        'occurrences[0].id',
      ],
      [
        'cd_nom beyond PostgreSQL integers',
        (d) => releveBody(d, { occurrences: [{ cdNom: 3_000_000_000, countings: [{}] }] }),
        400,
        'VALIDATION_ERROR',
        'body.occurrences.0.cdNom',
      ],
      [
        'a NUL character in a text',
        (d) => releveBody(d, { placeName: 'Lac\u0000' }),
        400,
        'VALIDATION_ERROR',
        'body.placeName',
      ],
      ['inactive dataset', () => releveBody(ds.inactive!), 400, 'DATASET_NOT_ACTIVE', 'datasetId'],
      [
        'dataset outside the scope',
        () => releveBody(ds['Oiseaux LPO 05']!),
        403,
        'DATASET_NOT_WRITABLE',
        'datasetId',
      ],
      ['unknown dataset', () => releveBody(999999), 403, 'DATASET_NOT_WRITABLE', 'datasetId'],
    ]

    let existing: Json
    beforeAll(async () => {
      existing = (await api('pne2', 'POST', '/releves', releveBody(ds['Faune opportuniste PNE']!))).body!
    })

    for (const [name, body, status, code, field] of cases) {
      it(`${name} → ${status} ${code} on POST and PUT`, async () => {
        const before = await snapshot()
        const created = await api('pne2', 'POST', '/releves', body(ds['Faune opportuniste PNE']!))
        expect(created.status, JSON.stringify(created.body)).toBe(status)
        expect(created.body!.error.code).toBe(code)
        expect(created.body!.error.details.map((d: Json) => d.field)).toContain(field)
        const replacement = body(ds['Faune opportuniste PNE']!)
        if (code === 'UNKNOWN_ID') replacement.occurrences[0].id = 999999
        const updated = await api('pne2', 'PUT', `/releves/${existing.id}`, replacement)
        expect(updated.status, JSON.stringify(updated.body)).toBe(status)
        expect(updated.body!.error.code).toBe(code)
        expect(await snapshot()).toEqual(before)
      })
    }

    it('the demo observer (scope 1) may write to his LPO dataset', async () => {
      const datasets = await api('observer', 'GET', '/datasets')
      expect(datasets.body!.map((d: Json) => d.shortName)).toContain('Oiseaux LPO 05')
      const created = await api('observer', 'POST', '/releves', releveBody(ds['Oiseaux LPO 05']!))
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      expect(await api('observer', 'DELETE', `/releves/${created.body!.id}`)).toMatchObject({ status: 204 })
    })
  })

  describe('scopes: list, get, put, delete', () => {
    const ids: Record<string, number> = {}
    beforeAll(async () => {
      // park: PNE's dataset, free-text observers; lpo: LPO's dataset, pne1 as observer; mine: pne1's own relevé.
      const park = await api(
        'all3',
        'POST',
        '/releves',
        releveBody(ds['Faune opportuniste PNE']!, { dateMin: '2025-06-01' }),
      )
      const lpo = await api(
        'all3',
        'POST',
        '/releves',
        releveBody(ds['Oiseaux LPO 05']!, {
          observerIds: [users.pne1],
          observersText: null,
          dateMin: '2025-06-02',
          geometry: { type: 'Point', coordinates: [5.5, 45.5] },
          occurrences: [{ cdNom: ALBURNUS, countings: [{}] }],
        }),
      )
      const mine = await api(
        'pne1',
        'POST',
        '/releves',
        releveBody(ds['Amphibiens lacs PNE']!, { dateMin: '2025-06-03' }),
      )
      for (const [k, r] of Object.entries({ park, lpo, mine })) {
        expect(r.status, JSON.stringify(r.body)).toBe(201)
        ids[k] = r.body!.id
      }
    })

    const visible = async (login: string) => {
      const { status, body } = await api(login, 'GET', '/releves?dateMin=2025-01-01&dateMax=2025-12-31')
      expect(status).toBe(200)
      return body!.items.map((i: Json) => i.id).sort()
    }

    it('lists and gets only what each scope reaches', async () => {
      const expected: Record<string, string[]> = {
        pne1: ['lpo', 'mine'], // observer of lpo, digitiser of mine
        pne2: ['mine', 'park'], // his organism is an actor of both PNE datasets
        lpo1: [],
        lpo2: ['lpo'],
        all3: ['lpo', 'mine', 'park'],
        reader: ['lpo', 'mine', 'park'],
      }
      for (const [login, keys] of Object.entries(expected)) {
        expect(await visible(login), login).toEqual(keys.map((k) => ids[k]).sort())
        for (const [k, id] of Object.entries(ids)) {
          const one = await api(login, 'GET', `/releves/${id}`)
          expect(one.status, `${login} GET ${k}`).toBe(keys.includes(k) ? 200 : 404)
          if (!keys.includes(k)) expect(JSON.stringify(one.body)).not.toContain('J. Dupont')
        }
      }
    })

    it('PUT and DELETE: 404 outside the read scope, 403 outside the write scope, nothing changed', async () => {
      const before = await snapshot()
      const body = releveBody(ds['Faune opportuniste PNE']!, { observersText: 'Pirate' })
      expect((await api('lpo1', 'PUT', `/releves/${ids.park}`, body)).status).toBe(404)
      expect((await api('lpo1', 'DELETE', `/releves/${ids.park}`)).status).toBe(404)
      expect((await api('pne1', 'DELETE', `/releves/${ids.park}`)).status).toBe(404)
      expect((await api('lpo2', 'PUT', `/releves/${ids.mine}`, body)).status).toBe(404)
      const mixedPut = await api('mixed', 'PUT', `/releves/${ids.park}`, body)
      expect(mixedPut.status).toBe(403)
      expect(mixedPut.body!.error.code).toBe('RELEVE_NOT_WRITABLE')
      expect((await api('mixed', 'DELETE', `/releves/${ids.park}`)).status).toBe(403)
      const readerPut = await api('reader', 'PUT', `/releves/${ids.park}`, body)
      expect(readerPut.status).toBe(403)
      expect(readerPut.body!.error.code).toBe('PERMISSION_DENIED')
      expect((await api('nobody', 'GET', '/releves')).status).toBe(403)
      expect((await api('nobody', 'GET', `/releves/${ids.park}`)).status).toBe(403)
      // A sub-route reaches the relevé through its occurrence: same rules.
      const occurrence = (await api('all3', 'GET', `/releves/${ids.park}`)).body!.occurrences[0]
      expect(
        (await api('lpo1', 'PUT', `/occurrences/${occurrence.id}`, { cdNom: LYNX, countings: [{}] })).status,
      ).toBe(404)
      expect((await api('lpo1', 'POST', `/occurrences/${occurrence.id}/countings`, {})).status).toBe(404)
      expect((await api('mixed', 'PUT', `/countings/${occurrence.countings[0].id}`, {})).status).toBe(403)
      // Moving a relevé to a dataset outside the writer's scope.
      const moved = await api(
        'pne1',
        'PUT',
        `/releves/${ids.mine}`,
        releveBody(ds['Faune opportuniste PNE']!),
      )
      expect(moved.status).toBe(403)
      expect(moved.body!.error.code).toBe('DATASET_NOT_WRITABLE')
      expect(await snapshot()).toEqual(before)
    })

    it('the scope-1 observer of a relevé may edit it; scope 2 may delete his organism’s', async () => {
      const edited = await api(
        'pne1',
        'PUT',
        `/releves/${ids.mine}`,
        releveBody(ds['Amphibiens lacs PNE']!, { dateMin: '2025-06-03', placeName: 'Lac Noir' }),
      )
      expect(edited.status, JSON.stringify(edited.body)).toBe(200)
      expect(edited.body!.placeName).toBe('Lac Noir')
      expect(edited.body!.digitiserId).toBe(users.pne1)
    })

    it('DELETE removes the relevé and its synthese rows', async () => {
      const uuid = (await api('pne2', 'GET', `/releves/${ids.park}`)).body!.uuid
      expect((await syntheseOf(uuid)).length).toBe(1)
      expect((await api('pne2', 'DELETE', `/releves/${ids.park}`)).status).toBe(204)
      expect(await syntheseOf(uuid)).toEqual([])
      expect(await query('SELECT id FROM occtax.releves WHERE id = $1', [ids.park])).toEqual([])
      expect((await api('pne2', 'GET', `/releves/${ids.park}`)).status).toBe(404)
    })
  })

  describe('list filters, GeoJSON and cursor', () => {
    const ids: Record<string, number> = {}
    beforeAll(async () => {
      const make = async (key: string, overrides: Json) => {
        const r = await api('all3', 'POST', '/releves', releveBody(ds['Faune opportuniste PNE']!, overrides))
        expect(r.status, JSON.stringify(r.body)).toBe(201)
        ids[key] = r.body!.id
      }
      await make('a', { dateMin: '2024-03-01', observersText: 'Zoé Mésange' })
      await make('b', {
        dateMin: '2024-03-05',
        dateMax: '2024-03-06',
        observerIds: [users.lpo1],
        geometry: {
          type: 'LineString',
          coordinates: [
            [5.0, 45.0],
            [5.1, 45.1],
          ],
        },
        occurrences: [
          { cdNom: RANA, nomCite: 'Grenouille rousse', countings: [{}, {}] },
          { cdNom: LYNX, countings: [{}] },
        ],
      })
      await make('c', { dateMin: '2024-03-09', placeName: 'Col du Lautaret' })
    })
    // March 2024 only, unless the filter under test sets a date itself.
    const list = async (qs: string, headers = {}) => {
      const dates = [
        qs.includes('dateMin=') ? '' : '&dateMin=2024-03-01',
        qs.includes('dateMax=') ? '' : '&dateMax=2024-03-31',
      ].join('')
      const { status, body, response } = await api(
        'all3',
        'GET',
        `/releves?${qs.includes('limit=') ? '' : 'limit=100'}${dates}${qs}`,
        undefined,
        headers,
      )
      expect(status, JSON.stringify(body)).toBe(200)
      return { body: body!, response }
    }
    const listIds = async (qs: string) => (await list(qs)).body.items.map((i: Json) => i.id)

    it('answers newest first with the list fields', async () => {
      const { body } = await list('')
      expect(body.items.map((i: Json) => i.id)).toEqual([ids.c, ids.b, ids.a])
      expect(body.nextCursor).toBeNull()
      expect(body.items[1]).toEqual({
        id: ids.b,
        uuid: expect.any(String),
        datasetId: ds['Faune opportuniste PNE'],
        datasetName: 'Observations opportunistes faune',
        dateMin: '2024-03-05',
        dateMax: '2024-03-06',
        observers: 'lpo1, J. Dupont',
        placeName: null,
        geometry: {
          type: 'LineString',
          coordinates: [
            [5, 45],
            [5.1, 45.1],
          ],
        },
        taxa: [
          { cdNom: RANA, name: 'Grenouille rousse' },
          { cdNom: LYNX, name: 'Lynx lynx' },
        ],
        countingCount: 3,
        sensitivity: { level: 0, blurred: false },
      })
    })

    it('filters by dates, taxon, observer, dataset and bbox', async () => {
      expect(await listIds('&dateMin=2024-01-01&dateMax=2024-03-05')).toEqual([ids.b, ids.a])
      expect(await listIds('&dateMin=2024-03-06&dateMax=2024-12-31')).toEqual([ids.c, ids.b])
      expect(await listIds(`&taxon=${RANA}`)).toEqual([ids.b])
      expect(await listIds(`&taxon=${RANA}&taxon=${LYNX}`)).toEqual([ids.c, ids.b, ids.a])
      expect(await listIds(`&observer=${users.lpo1}`)).toEqual([ids.b])
      expect(await listIds('&observer=mésange')).toEqual([ids.a])
      expect(await listIds(`&dataset=${ds['Oiseaux LPO 05']}`)).toEqual([])
      expect(await listIds('&bbox=4.9,44.9,5.2,45.2')).toEqual([ids.b])
      const bad = await api('all3', 'GET', '/releves?bbox=10,10,5,5')
      expect(bad.status).toBe(400)
    })

    it('pages with the cursor', async () => {
      const first = (await list('&limit=2')).body
      expect(first.items.map((i: Json) => i.id)).toEqual([ids.c, ids.b])
      expect(first.nextCursor).toEqual(expect.any(String))
      const second = (await list(`&limit=2&cursor=${first.nextCursor}`)).body
      expect(second.items.map((i: Json) => i.id)).toEqual([ids.a])
      expect(second.nextCursor).toBeNull()
      expect((await api('all3', 'GET', '/releves?cursor=nonsense')).body!.error.code).toBe('INVALID_CURSOR')
    })

    it('answers GeoJSON with format=geojson or Accept: application/geo+json', async () => {
      for (const [qs, headers] of [
        ['&format=geojson', {}],
        ['', { accept: 'application/geo+json' }],
      ] as const) {
        const { body, response } = await list(qs, headers)
        expect(response.headers['content-type']).toContain('application/geo+json')
        expect(body.type).toBe('FeatureCollection')
        expect(body.features.map((f: Json) => f.id)).toEqual([ids.c, ids.b, ids.a])
        expect(body.features[0]).toMatchObject({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [6.2, 44.8] },
          properties: { placeName: 'Col du Lautaret', countingCount: 1 },
        })
      }
    })
  })

  describe('datasets and observers to pick', () => {
    it('lists the active datasets each caller may write to', async () => {
      const names = async (login: string) =>
        ((await api(login, 'GET', '/datasets')).body as Json[]).map((d) => d.shortName).sort()
      expect(await names('pne1')).toEqual(['Amphibiens lacs PNE'])
      expect(await names('pne2')).toEqual(['Amphibiens lacs PNE', 'Faune opportuniste PNE'])
      expect(await names('lpo1')).toEqual([])
      expect(await names('all3')).toEqual(['Amphibiens lacs PNE', 'Faune opportuniste PNE', 'Oiseaux LPO 05'])
      expect((await api('reader', 'GET', '/datasets')).status).toBe(403)
    })

    it('finds observers by name, with their organism', async () => {
      const { status, body } = await api('reader', 'GET', '/observers?q=nez')
      expect(status).toBe(200)
      expect(body).toEqual([{ id: users.pne1, name: 'Paul Nez', organism: PNE }])
      expect(((await api('reader', 'GET', '/observers')).body as Json[]).length).toBeLessThanOrEqual(20)
    })
  })
})

describe('synthese errors renamed to relevé body paths', () => {
  const paths = [
    { occurrence: 0, counting: 0 },
    { occurrence: 1, counting: 0 },
    { occurrence: 1, counting: 1 },
  ]
  it('maps counting, occurrence and relevé fields of rows[i]', () => {
    const error = remapSyntheseError(
      new AppError(400, 'INVALID_SYNTHESE_ROW', 'x', [
        { row: 2, field: 'countMin', message: 'm' },
        { row: 1, field: 'cdNom', message: 'm' },
        { row: 1, field: 'commentDescription', message: 'm' },
        { row: 0, field: 'geometry', message: 'm' },
        { row: 0, field: 'commentContext', message: 'm' },
        { field: 'rows[2].lifeStage', type: 'STADE_VIE', code: 'X' },
      ]),
      paths,
    ) as AppError
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('INVALID_SYNTHESE_ROW')
    expect((error.details as { field: string }[]).map((d) => d.field)).toEqual([
      'occurrences[1].countings[1].countMin',
      'occurrences[1].cdNom',
      'occurrences[1].comment',
      'geometry',
      'comment',
      'occurrences[1].countings[1].lifeStage',
    ])
    expect((error.details as object[])[5]).toMatchObject({ type: 'STADE_VIE', code: 'X' })
  })
  it('leaves other errors alone', () => {
    const error = new Error('boom')
    expect(remapSyntheseError(error, paths)).toBe(error)
  })
})
