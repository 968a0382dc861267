import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import {
  createRule,
  deleteRule,
  refreshSensitivity,
  updateRule,
} from '../../src/sensitivity/sensitivity-rules.ts'
import type { RuleInput } from '../../src/sensitivity/sensitivity-schemas.ts'
import { type SyntheseRowInput, upsertSyntheseRows } from '../../src/synthese/synthese-service.ts'
import { loadTaxref } from '../../src/taxonomy/taxref-import.ts'
import { createTestApp, type TestApp } from '../helpers/index.ts'
import { demoRows, syntheticRows, writeTaxref } from '../taxonomy/taxref-fixture.ts'

const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] })
/** Inside the demo's INPN 10 km cell 10kmL93E095N641, and a point of the Écrins well outside it. */
const INSIDE = point(6.2, 44.8)
const OUTSIDE = point(6.45, 45.05)
const yearsAgo = (years: number) => new Date(Date.now() - years * 365.25 * 86_400_000).toISOString()

/**
 * The level the rules give observations written through the core's upsertSyntheseRows (the synthese row trigger),
 * and its recomputation when the rules change (the rules service). Each case uses its own taxon, so rules of one case
 * never match another's observations.
 */
describe('sensitivity rules: matching and recomputation', () => {
  let t: TestApp
  let pool: pg.Pool
  let datasetId: number
  let cellId: number
  beforeAll(async () => {
    t = await createTestApp()
    pool = t.app.db.pool
    const { rows } = await pool.query(
      `SELECT (SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE') AS dataset,
              (SELECT a.id FROM ref_geo.areas a JOIN ref_geo.area_types ty ON ty.id = a.type_id
                WHERE ty.code = 'M10' AND a.area_code = '10kmL93E095N641') AS cell`,
    )
    ;({ dataset: datasetId, cell: cellId } = rows[0])
    // Synthetic taxa with a parent chain (genus → species → subspecies, a synonym) and a family linked to its
    // species by the classification column only, next to the demo's real species.
    // Plus one species of its own family for the duration case (no other rule may cover it).
    const synthetic = syntheticRows()
    const delta = synthetic.find((r) => r.CD_NOM === '90000012')!
    const epsilon = {
      ...delta,
      CD_NOM: '90000101',
      CD_REF: '90000101',
      LB_NOM: 'Synthexpiria epsilon',
      NOM_COMPLET: 'Synthexpiria epsilon Synthauctor, 2026',
      FAMILLE: 'Synthexpiriidae',
    }
    await withTransaction(pool, (client) =>
      loadTaxref(client, writeTaxref([...demoRows(), ...synthetic, epsilon])),
    )
  })
  afterAll(() => t.close())

  const rule = (input: RuleInput) => createRule(pool, input)
  const row = (over: Partial<SyntheseRowInput>): SyntheseRowInput => ({
    uniqueIdSinp: randomUUID(),
    datasetId,
    cdNom: 351,
    nomCite: 'test',
    dateMin: '2024-06-15T10:00:00Z',
    geometry: INSIDE,
    ...over,
  })
  /** Writes the rows and returns their levels, in order. */
  const write = async (rows: SyntheseRowInput[]): Promise<number[]> => {
    const result = await withTransaction(pool, (client) =>
      upsertSyntheseRows(client, 'SENSITIVITY_TEST', rows),
    )
    return levels(result.rows.map((r) => r.uniqueIdSinp))
  }
  const levels = async (uuids: string[]): Promise<number[]> => {
    const { rows } = await pool.query<{ level: number; code: string }>(
      `SELECT s.sensitivity_level AS level, n.cd_nomenclature AS code
         FROM unnest($1::uuid[]) WITH ORDINALITY u(uuid, i)
         JOIN gn_synthese.synthese s ON s.unique_id_sinp = u.uuid
         LEFT JOIN ref_nomenclatures.nomenclatures n ON n.id = s.id_nomenclature_sensitivity
        ORDER BY u.i`,
      [uuids],
    )
    // The SENSIBILITE nomenclature always says the same level.
    for (const r of rows) expect(r.code).toBe(String(r.level))
    return rows.map((r) => r.level)
  }

  it('a period that wraps the new year matches December and January, not June', async () => {
    await rule({ cdNom: 351, level: 2, periodStart: '1101', periodEnd: '0215' })
    expect(
      await write([
        row({ dateMin: '2024-12-10T12:00:00Z' }),
        row({ dateMin: '2025-01-20T12:00:00Z' }),
        row({ dateMin: '2025-02-15T12:00:00Z' }),
        row({ dateMin: '2025-02-16T12:00:00Z' }),
        row({ dateMin: '2024-06-15T12:00:00Z' }),
        row({ dateMin: '2024-11-01T12:00:00Z' }),
      ]),
    ).toEqual([2, 2, 2, 0, 0, 2])
  })

  it('an observation older than the duration is not sensitive', async () => {
    await rule({ cdNom: 60612, level: 3, durationYears: 5 })
    expect(
      await write([
        row({ cdNom: 60612, dateMin: yearsAgo(2) }),
        row({ cdNom: 60612, dateMin: yearsAgo(4.9) }),
        row({ cdNom: 60612, dateMin: yearsAgo(5.1) }),
        row({ cdNom: 60612, dateMin: yearsAgo(30) }),
      ]),
    ).toEqual([3, 3, 0, 0])
  })

  it('criteria: the matching biological status, not another; an unknown or unfilled one matches as a precaution', async () => {
    await rule({ cdNom: 18437, level: 2, criteria: [{ type: 'STATUT_BIO', code: '3' }] })
    await rule({ cdNom: 8326, level: 1, criteria: [{ type: 'OCC_COMPORTEMENT', code: '3' }] })
    expect(
      await write([
        row({ cdNom: 18437, bioStatus: '3' }), // Reproduction
        row({ cdNom: 18437, bioStatus: '4' }), // Hibernation
        row({ cdNom: 18437, bioStatus: '9' }), // Pas de reproduction
        row({ cdNom: 18437, bioStatus: '0' }), // Inconnu
        row({ cdNom: 18437, bioStatus: '1' }), // Non renseigné
        row({ cdNom: 18437 }), // left out: the instance default (1 Non renseigné)
        row({ cdNom: 8326, behaviour: '3' }), // Dortoir
        row({ cdNom: 8326, behaviour: '4' }), // Migration
        row({ cdNom: 8326, behaviour: '0' }), // Inconnu
      ]),
    ).toEqual([2, 0, 0, 2, 2, 2, 1, 0, 1])
  })

  it('a rule on a genus or a family applies to its species, subspecies and synonyms, not to other taxa', async () => {
    await rule({ cdNom: 90000006, level: 1 }) // genus Synthgenus (parent chain)
    await rule({ cdNom: 90000011, level: 3 }) // family Synthoidae (classification column only)
    expect(
      await write([
        row({ cdNom: 90000007 }), // Synthgenus alpha
        row({ cdNom: 90000009 }), // Synthgenus beta gamma (subspecies)
        row({ cdNom: 90000010 }), // Oldsynthgenus alpha, synonym of Synthgenus alpha
        row({ cdNom: 90000012 }), // Synthoides delta
        row({ cdNom: 90000005 }), // the family Synthidae above the genus
      ]),
    ).toEqual([1, 1, 1, 3, 0])
  })

  it('an area rule matches inside the area only', async () => {
    await rule({ cdNom: 67111, level: 2, areaIds: [cellId] })
    expect(
      await write([row({ cdNom: 67111, geometry: INSIDE }), row({ cdNom: 67111, geometry: OUTSIDE })]),
    ).toEqual([2, 0])
  })

  it('the highest level among the matching rules wins', async () => {
    await rule({ cdNom: 11165, level: 1 })
    await rule({ cdNom: 11165, level: 3, periodStart: '0501', periodEnd: '0731' })
    await rule({ cdNom: 11165, level: 4, criteria: [{ type: 'STATUT_BIO', code: '3' }] })
    expect(
      await write([
        row({ cdNom: 11165, dateMin: '2024-06-15T10:00:00Z', bioStatus: '4' }),
        row({ cdNom: 11165, dateMin: '2024-09-15T10:00:00Z', bioStatus: '4' }),
        row({ cdNom: 11165, dateMin: '2024-09-15T10:00:00Z', bioStatus: '3' }),
      ]),
    ).toEqual([3, 1, 4])
  })

  it('a rule change recomputes the existing observations it affects, and only those', async () => {
    const uuids = [randomUUID(), randomUUID(), randomUUID()]
    await write([
      row({ uniqueIdSinp: uuids[0], cdNom: 95186, dateMin: '2024-06-15T10:00:00Z' }),
      row({ uniqueIdSinp: uuids[1], cdNom: 95186, dateMin: '2024-09-15T10:00:00Z' }),
      row({ uniqueIdSinp: uuids[2], cdNom: 81065 }), // another taxon: never rewritten below
    ])
    const version = async (uuid: string) =>
      (await pool.query('SELECT xmin::text AS v FROM gn_synthese.synthese WHERE unique_id_sinp = $1', [uuid]))
        .rows[0].v
    const untouched = await version(uuids[2]!)
    expect(await levels(uuids)).toEqual([0, 0, 0])

    const created = await rule({ cdNom: 95186, level: 2 })
    expect(created.recomputed).toBe(2)
    expect(await levels(uuids)).toEqual([2, 2, 0])
    expect(await version(uuids[2]!)).toBe(untouched)

    // Only the June row changes level: the September one is not rewritten.
    const september = await version(uuids[1]!)
    const updated = await updateRule(pool, created.rule.id, {
      cdNom: 95186,
      level: 2,
      periodStart: '0901',
      periodEnd: '0930',
    })
    expect(updated.recomputed).toBe(1)
    expect(await levels(uuids)).toEqual([0, 2, 0])
    expect(await version(uuids[1]!)).toBe(september)

    // Moving the rule to another taxon recomputes the old taxon's rows and the new one's.
    const moved = await updateRule(pool, created.rule.id, { cdNom: 81065, level: 1 })
    expect(moved.recomputed).toBe(2)
    expect(await levels(uuids)).toEqual([0, 0, 1])

    const inactive = await updateRule(pool, created.rule.id, { cdNom: 81065, level: 1, active: false })
    expect(inactive.recomputed).toBe(1)
    expect(await levels(uuids)).toEqual([0, 0, 0])
    await updateRule(pool, created.rule.id, { cdNom: 81065, level: 1 })
    expect(await levels(uuids)).toEqual([0, 0, 1])

    expect((await deleteRule(pool, created.rule.id)).recomputed).toBe(1)
    expect(await levels(uuids)).toEqual([0, 0, 0])
    // A full refresh finds every level already right (the trigger and the changes agree) and writes nothing.
    const before = await version(uuids[2]!)
    expect(await refreshSensitivity(pool)).toEqual({ recomputed: 0, reblurred: 0, skipped: false })
    expect(await version(uuids[2]!)).toBe(before)
  })

  it('an expert override is kept when the source re-writes the row, and through rule changes and refreshes', async () => {
    const created = await rule({ cdNom: 90000008, level: 2 })
    const observation = row({ cdNom: 90000008 })
    expect(await write([observation])).toEqual([2])
    await pool.query(
      `UPDATE gn_synthese.synthese SET sensitivity_manual = true, sensitivity_level = 4 WHERE unique_id_sinp = $1`,
      [observation.uniqueIdSinp],
    )
    expect(await write([{ ...observation, nomCite: 're-sent by its source' }])).toEqual([4])
    await updateRule(pool, created.rule.id, { cdNom: 90000008, level: 1 })
    await refreshSensitivity(pool)
    await refreshSensitivity(pool, { cdNoms: [90000008] })
    expect(await levels([observation.uniqueIdSinp!])).toEqual([4])
  })

  it('the periodic refresh recomputes rows whose rule duration expired, and skips while another holds the lock', async () => {
    const created = await rule({ cdNom: 90000101, level: 3, durationYears: 10 })
    const observation = row({ cdNom: 90000101, dateMin: yearsAgo(3) })
    expect(await write([observation])).toEqual([3])
    // Time passes: written straight into the table (no recomputation), the rule now covers 2 years only.
    await pool.query('UPDATE gn_sensitivity.rules SET duration_years = 2 WHERE id = $1', [created.rule.id])
    expect(await levels([observation.uniqueIdSinp!])).toEqual([3])

    const holder = new pg.Client({ connectionString: t.databaseUrl })
    await holder.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('SELECT pg_advisory_xact_lock(20261204, 1)')
      expect(await refreshSensitivity(pool, { expired: true, skipIfBusy: true })).toEqual({
        recomputed: 0,
        reblurred: 0,
        skipped: true,
      })
      await holder.query('COMMIT')
    } finally {
      await holder.end()
    }
    expect(await refreshSensitivity(pool, { expired: true, skipIfBusy: true })).toMatchObject({
      recomputed: 1,
      skipped: false,
    })
    expect(await levels([observation.uniqueIdSinp!])).toEqual([0])
  })
})
