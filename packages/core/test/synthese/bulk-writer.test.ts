import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import { upsertSyntheseFromStaging } from '../../src/synthese/synthese-bulk-writer.ts'
import { upsertSyntheseRows } from '../../src/synthese/synthese-service.ts'
import { createTestApp, type TestApp } from '../helpers/index.ts'

describe('synthese bulk writer: one INSERT … SELECT from a staging relation', () => {
  let t: TestApp
  let pool: pg.Pool
  let datasetId: number
  let agentId: number
  let validId: (code: string) => Promise<number>

  beforeAll(async () => {
    t = await createTestApp()
    pool = t.app.db.pool
    const ids = await pool.query(
      `SELECT (SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE') AS dataset,
              (SELECT id FROM core.users WHERE login = 'agent') AS agent`,
    )
    ;({ dataset: datasetId, agent: agentId } = ids.rows[0])
    validId = async (code) =>
      (
        await pool.query(
          `SELECT n.id FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types ty ON ty.id = n.type_id
            WHERE ty.mnemonique = 'STATUT_VALID' AND n.cd_nomenclature = $1`,
          [code],
        )
      ).rows[0].id
    await pool.query(`CREATE TABLE public.staging (
      line integer PRIMARY KEY, valid boolean NOT NULL DEFAULT true,
      unique_id_sinp uuid, unique_id_sinp_grp uuid, entity_source_pk_value text, id_dataset integer,
      cd_nom integer, nom_cite text, count_min integer, count_max integer, date_min timestamptz,
      date_max timestamptz, observers text, determiner text, the_geom_4326 geometry(Geometry, 4326),
      precision integer, altitude_min integer, altitude_max integer, depth_min integer, depth_max integer,
      place_name text, comment_context text, comment_description text, validator text,
      validation_date timestamptz, validation_comment text, additional_data jsonb,
      ${[
        'geo_object_nature',
        'grp_typ',
        'obs_technique',
        'bio_status',
        'bio_condition',
        'naturalness',
        'exist_proof',
        'valid_status',
        'diffusion_level',
        'life_stage',
        'sex',
        'obj_count',
        'type_count',
        'sensitivity',
        'observation_status',
        'blurring',
        'source_status',
        'info_geo_type',
        'behaviour',
        'biogeo_status',
        'determination_method',
      ]
        .map((s) => `id_nomenclature_${s} integer`)
        .join(', ')})`)
  })
  afterAll(() => t.close())

  const stage = async (
    rows: { line: number; uuid?: string | null; valid?: boolean; [k: string]: unknown }[],
  ) => {
    await pool.query('TRUNCATE public.staging')
    for (const r of rows) {
      await pool.query(
        `INSERT INTO public.staging (line, valid, unique_id_sinp, entity_source_pk_value, id_dataset, cd_nom, nom_cite,
                                     date_min, date_max, the_geom_4326, count_min, validator, id_nomenclature_valid_status)
         VALUES ($1, $2, $3, $4, $5, $6, 'Rana temporaria', '2024-05-01T08:00:00Z', $7,
                 ST_SetSRID(ST_MakePoint(6.2, 44.8), 4326), $8, $9, $10)`,
        [
          r.line,
          r.valid ?? true,
          r.uuid ?? null,
          `L${r.line}`,
          datasetId,
          r.cdNom ?? 351,
          r.dateMax ?? null,
          r.countMin ?? null,
          r.validator ?? null,
          r.validStatus ?? null,
        ],
      )
    }
  }
  const write = (source: string, updateExisting: boolean, validationGivenSql?: string) =>
    withTransaction(pool, (client) =>
      upsertSyntheseFromStaging(
        client,
        { name: source, moduleCode: 'IMPORT', urlTemplate: '/import/imports/1' },
        '(SELECT * FROM public.staging WHERE valid)',
        { updateExisting, digitiserId: agentId, validationGivenSql },
      ),
    )
  const bySource = async (source: string) =>
    (
      await pool.query(
        `SELECT s.*, s.unique_id_sinp::text AS uuid,
                (SELECT count(*) FROM gn_synthese.cor_area_synthese c WHERE c.id_synthese = s.id)::int AS areas
           FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
          WHERE src.name = $1 ORDER BY s.entity_source_pk_value`,
        [source],
      )
    ).rows

  it('inserts the valid rows with a new UUID when none, date_max from date_min, area links, the digitiser', async () => {
    const uuid = randomUUID()
    await stage([{ line: 2, uuid }, { line: 3 }, { line: 4, valid: false }])
    const result = await write('IMPORT:1', false)
    expect(result).toMatchObject({ inserted: 2, updated: 0, skipped: 0 })
    const rows = await bySource('IMPORT:1')
    expect(rows.map((r) => r.entity_source_pk_value)).toEqual(['L2', 'L3'])
    expect(rows[0].uuid).toBe(uuid)
    expect(rows[1].uuid).toMatch(/^[0-9a-f-]{36}$/)
    expect(rows[1].date_max).toEqual(rows[1].date_min)
    expect(rows[0].id_digitiser).toBe(agentId)
    // The demo areas cover the point (commune, grid cells…): the synthese triggers linked them.
    expect(rows[0].areas).toBeGreaterThan(0)
    const source = await pool.query(
      'SELECT module_code, url_template FROM gn_synthese.sources WHERE id = $1',
      [result.sourceId],
    )
    expect(source.rows[0]).toEqual({ module_code: 'IMPORT', url_template: '/import/imports/1' })
  })

  it('skips existing UUIDs unless updateExisting; updates keep their source and validation when none is given', async () => {
    const [first] = await bySource('IMPORT:1')
    await pool.query(
      `UPDATE gn_synthese.synthese SET validator = 'V. Alidator', id_nomenclature_valid_status = $2 WHERE id = $1`,
      [first.id, await validId('1')],
    )
    await stage([{ line: 2, uuid: first.uuid, countMin: 7 }, { line: 9 }])
    expect(await write('IMPORT:2', false)).toMatchObject({ inserted: 1, updated: 0, skipped: 1 })
    expect((await bySource('IMPORT:1'))[0].count_min).toBeNull()

    await stage([{ line: 2, uuid: first.uuid, countMin: 7, validStatus: await validId('0') }])
    expect(await write('IMPORT:3', true)).toMatchObject({ inserted: 0, updated: 1, skipped: 0 })
    const updated = (await bySource('IMPORT:1'))[0]
    expect(updated.id).toBe(first.id)
    expect(updated.count_min).toBe(7)
    expect(updated.validator).toBe('V. Alidator')
    expect(updated.id_nomenclature_valid_status).toBe(await validId('1'))

    // A row stating its validation replaces it.
    await stage([{ line: 2, uuid: first.uuid, validator: 'N. Ew', validStatus: await validId('2') }])
    expect(await write('IMPORT:3', true, 'true')).toMatchObject({ updated: 1 })
    const revalidated = (await bySource('IMPORT:1'))[0]
    expect(revalidated.validator).toBe('N. Ew')
    expect(revalidated.id_nomenclature_valid_status).toBe(await validId('2'))
  })

  it('never overwrites an observation of another module, even with updateExisting', async () => {
    const uuid = randomUUID()
    await withTransaction(pool, (client) =>
      upsertSyntheseRows(client, { name: 'OCCTAX', moduleCode: 'OCCTAX' }, [
        {
          uniqueIdSinp: uuid,
          datasetId,
          cdNom: 351,
          nomCite: 'Rana temporaria',
          dateMin: '2024-05-01',
          geometry: { type: 'Point', coordinates: [6.2, 44.8] },
          countMin: 1,
        },
      ]),
    )
    await stage([{ line: 2, uuid, countMin: 99 }])
    expect(await write('IMPORT:4', true)).toMatchObject({ inserted: 0, updated: 0, skipped: 1 })
    const { rows } = await pool.query(
      'SELECT count_min FROM gn_synthese.synthese WHERE unique_id_sinp = $1',
      [uuid],
    )
    expect(rows[0].count_min).toBe(1)
  })

  it('writes nothing when one row breaks a constraint of the synthese', async () => {
    await stage([{ line: 2 }, { line: 3, cdNom: 999999999 }])
    await expect(write('IMPORT:5', false)).rejects.toThrow(/foreign key/)
    expect(await bySource('IMPORT:5')).toEqual([])
  })
})
