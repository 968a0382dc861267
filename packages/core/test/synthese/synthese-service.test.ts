import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import { AppError } from '../../src/http/app-error.ts'
import {
  deleteSyntheseBySource,
  type SyntheseRowInput,
  upsertSyntheseRows,
} from '../../src/synthese/synthese-service.ts'
import { createTestApp, type TestApp } from '../helpers/index.ts'

const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] })

describe('synthese service: set-based upsert and delete by source', () => {
  let t: TestApp
  let pool: pg.Pool
  let datasetId: number
  let agentId: number
  let observerId: number
  beforeAll(async () => {
    t = await createTestApp()
    pool = t.app.db.pool
    const ids = await pool.query(
      `SELECT (SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE') AS dataset,
              (SELECT id FROM core.users WHERE login = 'agent') AS agent,
              (SELECT id FROM core.users WHERE login = 'observer') AS observer`,
    )
    ;({ dataset: datasetId, agent: agentId, observer: observerId } = ids.rows[0])
    // The agent's organism (PNE) overrides the instance default of SEXE (6 Non renseigné) with 2 Femelle.
    await pool.query(
      `INSERT INTO ref_nomenclatures.defaults (usage, type_id, organism_id, nomenclature_id)
       SELECT 'observation', n.type_id, u.organism_id, n.id
         FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types ty ON ty.id = n.type_id,
              core.users u
        WHERE ty.mnemonique = 'SEXE' AND n.cd_nomenclature = '2' AND u.login = 'agent'`,
    )
  })
  afterAll(() => t.close())

  const row = (over: Partial<SyntheseRowInput> = {}): SyntheseRowInput => ({
    uniqueIdSinp: randomUUID(),
    datasetId,
    cdNom: 351,
    nomCite: 'Rana temporaria',
    dateMin: '2024-05-01T08:00:00Z',
    geometry: point(6.2, 44.8),
    ...over,
  })
  const upsert = (source: string, rows: SyntheseRowInput[]) =>
    withTransaction(pool, (client) => upsertSyntheseRows(client, source, rows))
  const count = async () =>
    Number((await pool.query('SELECT count(*) FROM gn_synthese.synthese')).rows[0].count)
  const codes = async (uuid: string) =>
    (
      await pool.query(
        `SELECT s.*, (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_sex) AS sex,
                (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_life_stage) AS life_stage,
                (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_valid_status) AS valid_status,
                (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_obs_technique) AS obs_technique,
                ST_AsText(s.the_geom_point) AS point, ST_SRID(s.the_geom_local) AS local_srid
           FROM gn_synthese.synthese s WHERE unique_id_sinp = $1`,
        [uuid],
      )
    ).rows[0]
  const areaCodes = async (uuid: string) =>
    (
      await pool.query(
        `SELECT t.code || ':' || a.area_code AS code FROM gn_synthese.cor_area_synthese c
           JOIN gn_synthese.synthese s ON s.id = c.id_synthese
           JOIN ref_geo.areas a ON a.id = c.id_area JOIN ref_geo.area_types t ON t.id = a.type_id
          WHERE s.unique_id_sinp = $1 ORDER BY 1`,
        [uuid],
      )
    ).rows.map((r) => r.code)
  const expectedAreas = async (lon: number, lat: number) =>
    (
      await pool.query(
        `SELECT t.code || ':' || a.area_code AS code
           FROM ref_geo.intersecting_areas(ST_SetSRID(ST_MakePoint($1, $2), 4326)) i
           JOIN ref_geo.areas a ON a.id = i.area_id JOIN ref_geo.area_types t ON t.id = a.type_id ORDER BY 1`,
        [lon, lat],
      )
    ).rows.map((r) => r.code)

  it('inserts rows, then updates them by unique_id_sinp, with codes resolved and defaults applied', async () => {
    const a = row({ digitiserId: agentId, lifeStage: '2', validStatus: '1', observerIds: [agentId] })
    const b = row({ digitiserId: observerId, cdNom: 60612, nomCite: 'Lynx', countMin: 1, countMax: 3 })
    const first = await upsert('TEST', [a, b])
    expect(first).toMatchObject({ inserted: 2, updated: 0 })
    expect(first.rows.map((r) => r.uniqueIdSinp)).toEqual([a.uniqueIdSinp, b.uniqueIdSinp])

    const stored = await codes(a.uniqueIdSinp!)
    expect(stored).toMatchObject({
      cd_nom: 351,
      life_stage: '2',
      valid_status: '1',
      sex: '2', // the agent's organism default
      obs_technique: '21', // instance default (METH_OBS)
      point: 'POINT(6.2 44.8)',
      local_srid: 2154,
      date_max: stored.date_min, // dateMax defaults to dateMin
    })
    expect((await codes(b.uniqueIdSinp!)).sex).toBe('6') // the observer's organism has no override
    expect(
      (
        await pool.query('SELECT id_role FROM gn_synthese.cor_observer_synthese WHERE id_synthese = $1', [
          first.rows[0]!.id,
        ])
      ).rows,
    ).toEqual([{ id_role: agentId }])

    const second = await upsert('TEST', [
      { ...a, nomCite: 'Grenouille rousse', sex: '3', observerIds: [observerId] },
      row(),
    ])
    expect(second).toMatchObject({ inserted: 1, updated: 1 })
    expect(second.rows[0]!.id).toBe(first.rows[0]!.id)
    const updated = await codes(a.uniqueIdSinp!)
    expect(updated).toMatchObject({ nom_cite: 'Grenouille rousse', sex: '3' })
    expect(updated.meta_update_date.getTime()).toBeGreaterThan(stored.meta_update_date.getTime())
    expect(
      (
        await pool.query('SELECT id_role FROM gn_synthese.cor_observer_synthese WHERE id_synthese = $1', [
          first.rows[0]!.id,
        ])
      ).rows,
    ).toEqual([{ id_role: observerId }])
  })

  it('keeps the validation of an updated row that leaves validStatus out, and replaces it when given', async () => {
    const validated = row({
      validStatus: '2',
      validator: 'Expert Faune',
      validationDate: '2025-01-10T10:00:00Z',
      validationComment: 'Photo vue',
    })
    await upsert('TEST', [validated])
    const { validStatus, validator, validationDate, validationComment, ...resent } = validated
    await upsert('TEST', [{ ...resent, nomCite: 'Rana temporaria L.' }])
    const kept = await codes(validated.uniqueIdSinp!)
    expect(kept).toMatchObject({
      nom_cite: 'Rana temporaria L.',
      valid_status: '2',
      validator: 'Expert Faune',
      validation_comment: 'Photo vue',
    })
    expect(kept.validation_date.toISOString()).toBe('2025-01-10T10:00:00.000Z')

    await upsert('TEST', [{ ...resent, validStatus: '4', validator: 'Autre', validationComment: null }])
    expect(await codes(validated.uniqueIdSinp!)).toMatchObject({
      valid_status: '4',
      validator: 'Autre',
      validation_comment: null,
      validation_date: null,
    })
    // A new row leaving it out gets the default status (0, pending).
    const fresh = row()
    await upsert('TEST', [fresh])
    expect(await codes(fresh.uniqueIdSinp!)).toMatchObject({ valid_status: '0', validator: null })
  })

  it('refuses bad rows with 400 naming the row and field, and writes nothing', async () => {
    const before = await count()
    const expectError = async (rows: SyntheseRowInput[], code: string, field: string) => {
      const error = await upsert('TEST', rows).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AppError)
      expect(error).toMatchObject({ statusCode: 400, code })
      expect((error as AppError).message).toContain(field)
    }
    await expectError([row(), row({ sex: 'X' })], 'UNKNOWN_NOMENCLATURE', 'rows[1].sex')
    await expectError([row(), row({ cdNom: 999999999 })], 'UNKNOWN_TAXON', 'rows[1].cdNom')
    await expectError([row({ countMin: 5, countMax: 2 })], 'INVALID_SYNTHESE_ROW', 'rows[0].countMin')
    await expectError(
      [row(), row({ dateMin: '2024-05-02', dateMax: '2024-05-01' })],
      'INVALID_SYNTHESE_ROW',
      'rows[1].dateMin',
    )
    await expectError([row({ geometry: point(200, 44) })], 'INVALID_SYNTHESE_ROW', 'rows[0].geometry')
    await expectError([row({ datasetId: 999999 })], 'UNKNOWN_DATASET', 'rows[0].datasetId')
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [6.1, 44.7],
          [6.3, 44.9],
          [6.3, 44.7],
          [6.1, 44.9],
          [6.1, 44.7],
        ],
      ],
    }
    await expectError([row(), row({ geometry: bowtie })], 'INVALID_GEOMETRY', 'rows[1].geometry')
    expect(await count()).toBe(before)
  })

  it('refuses, in plain SQL too, a nomenclature id of the wrong type (checked per statement)', async () => {
    const a = row()
    const uuid = a.uniqueIdSinp!
    await upsert('TEST', [a])
    const id = (type: string, code: string) =>
      `(SELECT n.id FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types ty ON ty.id = n.type_id
         WHERE ty.mnemonique = '${type}' AND n.cd_nomenclature = '${code}')`
    const update = (column: string, value: string) =>
      pool.query(`UPDATE gn_synthese.synthese SET ${column} = ${value} WHERE unique_id_sinp = $1`, [uuid])
    // A life stage where the sex goes: refused, naming the column; the row keeps its value.
    const before = (await codes(uuid)).id_nomenclature_sex
    await expect(update('id_nomenclature_sex', id('STADE_VIE', '2'))).rejects.toMatchObject({
      code: '23514',
      column: 'id_nomenclature_sex',
    })
    expect((await codes(uuid)).id_nomenclature_sex).toBe(before)
    await update('id_nomenclature_sex', id('SEXE', '3'))
    expect((await codes(uuid)).sex).toBe('3')
    // On insert as well.
    await expect(
      pool.query(
        `INSERT INTO gn_synthese.synthese (id_source, id_dataset, cd_nom, nom_cite, date_min, date_max, the_geom_4326,
                                           id_nomenclature_valid_status)
         SELECT id_source, id_dataset, cd_nom, nom_cite, date_min, date_max, the_geom_4326, ${id('SEXE', '2')}
           FROM gn_synthese.synthese WHERE unique_id_sinp = $1`,
        [uuid],
      ),
    ).rejects.toMatchObject({ code: '23514', column: 'id_nomenclature_valid_status' })
  })

  it('keeps the caller’s transaction usable after a refused batch', async () => {
    const ok = row()
    await withTransaction(pool, async (client) => {
      await upsertSyntheseRows(client, 'TEST', [row({ sex: 'X' })]).catch(() => undefined)
      await upsertSyntheseRows(client, 'TEST', [ok])
    })
    expect(await codes(ok.uniqueIdSinp!)).toBeDefined()
  })

  it('refuses a unique_id_sinp owned by another source (409)', async () => {
    const r = row()
    await upsert('TEST', [r])
    await expect(upsert('OTHER', [r])).rejects.toMatchObject({ statusCode: 409, code: 'SYNTHESE_CONFLICT' })
  })

  it('links the intersected areas, and relinks when the geometry moves', async () => {
    const r = row({ geometry: point(6.2, 44.8) })
    await upsert('TEST', [r])
    const here = await expectedAreas(6.2, 44.8)
    expect(here.some((c) => c.startsWith('M10:'))).toBe(true)
    expect(here.some((c) => c.startsWith('M5:'))).toBe(true)
    expect(await areaCodes(r.uniqueIdSinp!)).toEqual(here)

    await upsert('TEST', [{ ...r, geometry: point(6.5, 45.0) }])
    const there = await expectedAreas(6.5, 45.0)
    expect(there).not.toEqual(here)
    expect(await areaCodes(r.uniqueIdSinp!)).toEqual(there)

    // A polygon gets every cell it crosses and a point on its surface.
    const polygon = row({
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [6.0, 44.6],
            [6.3, 44.6],
            [6.3, 44.8],
            [6.0, 44.8],
            [6.0, 44.6],
          ],
        ],
      },
    })
    await upsert('TEST', [polygon])
    expect(
      (await areaCodes(polygon.uniqueIdSinp!)).filter((c) => c.startsWith('M10:')).length,
    ).toBeGreaterThan(2)
    const { rows } = await pool.query(
      `SELECT ST_Within(the_geom_point, the_geom_4326) AS inside FROM gn_synthese.synthese WHERE unique_id_sinp = $1`,
      [polygon.uniqueIdSinp],
    )
    expect(rows[0].inside).toBe(true)
  })

  it('deletes a source’s rows, all or by entity pk, with their links', async () => {
    const rows = ['a', 'b', 'c'].map((pk) => row({ entitySourcePkValue: pk, observerIds: [agentId] }))
    await upsert('DEL', rows)
    expect(await withTransaction(pool, (c) => deleteSyntheseBySource(c, 'DEL', ['a', 'b']))).toBe(2)
    const left = await pool.query(
      `SELECT s.entity_source_pk_value FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
        WHERE src.name = 'DEL'`,
    )
    expect(left.rows).toEqual([{ entity_source_pk_value: 'c' }])
    expect(await withTransaction(pool, (c) => deleteSyntheseBySource(c, 'DEL'))).toBe(1)
    expect(await withTransaction(pool, (c) => deleteSyntheseBySource(c, 'NO SUCH SOURCE'))).toBe(0)
    const orphans = await pool.query(
      `SELECT (SELECT count(*) FROM gn_synthese.cor_area_synthese c
                WHERE NOT EXISTS (SELECT 1 FROM gn_synthese.synthese s WHERE s.id = c.id_synthese))::int AS areas,
              (SELECT count(*) FROM gn_synthese.cor_observer_synthese c
                WHERE NOT EXISTS (SELECT 1 FROM gn_synthese.synthese s WHERE s.id = c.id_synthese))::int AS observers`,
    )
    expect(orphans.rows[0]).toEqual({ areas: 0, observers: 0 })
  })

  it('refuses an entity pk already used by another observation of the source (409)', async () => {
    await upsert('PK', [row({ entitySourcePkValue: 'x' })])
    await expect(upsert('PK', [row({ entitySourcePkValue: 'x' })])).rejects.toMatchObject({
      statusCode: 409,
      code: 'SYNTHESE_CONFLICT',
    })
  })
})
