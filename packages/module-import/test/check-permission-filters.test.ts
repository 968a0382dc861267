import { createUser, DEMO_ORGANISM } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CheckFixture, checkFixture } from './check-helpers.ts'
import { delimited } from './helpers.ts'

const FROG = 351 // Rana temporaria
const LYNX = 60612
const FIELDS = {
  datasetUuid: { column: 'jdd' },
  dateMin: { column: 'date' },
  cdNom: { column: 'cd_nom' },
  nomCite: { column: 'nom' },
  wkt: { column: 'wkt' },
}

describe('import check: the owner’s IMPORT C permission rows, taxon and area filters included (core resolution)', () => {
  let f: CheckFixture
  let id: number
  const owners: Record<string, number> = {}

  /** A user whose only IMPORT C row is scope 3 narrowed to a taxon or an area. */
  const narrowed = async (login: string, filter: { taxon?: number; area?: number }) => {
    const userId = await createUser(f.pool, { login, organism: DEMO_ORGANISM })
    await f.pool.query(
      `INSERT INTO core.permissions (user_id, module_code, action, scope, taxon_cd_nom, area_id)
       VALUES ($1, 'IMPORT', 'C', 3, $2, $3)`,
      [userId, filter.taxon ?? null, filter.area ?? null],
    )
    return userId
  }

  beforeAll(async () => {
    f = await checkFixture()
    // The demo grid cell holding the first point, not the second.
    const { rows } = await f.pool.query<{ id: number }>(
      `SELECT a.id FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
        WHERE t.code = 'M10' AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(6.47, 44.85), 4326))
          AND NOT ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(6.2, 44.6), 4326))`,
    )
    owners.frogs = await narrowed('frogs-only', { taxon: FROG })
    owners.cell = await narrowed('cell-only', { area: rows[0]!.id })
    const ds = f.dataset.uuid
    const upload = await f.upload(
      'filters.csv',
      delimited(
        [
          ['jdd', 'date', 'cd_nom', 'nom', 'wkt'],
          [ds, '2024-05-12', String(FROG), 'Rana temporaria', 'POINT(6.47 44.85)'], // 2 frog, in the cell
          [ds, '2024-05-12', String(LYNX), 'Lynx lynx', 'POINT(6.47 44.85)'], // 3 lynx, in the cell
          [ds, '2024-05-12', String(FROG), 'Rana temporaria', 'POINT(6.2 44.6)'], // 4 frog, outside it
          [ds, '2024-05-12', '999999999', 'Inconnu', 'POINT(6.47 44.85)'], // 5 unknown taxon
        ],
        ',',
      ),
    )
    id = upload.id
    await f.mapFields(id, FIELDS)
  })
  afterAll(async () => {
    await f?.close()
  })

  const checkAs = async (ownerId: number | null) => {
    if (ownerId !== null)
      await f.pool.query('UPDATE import.imports SET owner_id = $2 WHERE id = $1', [id, ownerId])
    const counts = await f.check(id)
    return { counts, errors: await f.errors(id) }
  }

  it('an unfiltered row: every known taxon anywhere', async () => {
    const { counts, errors } = await checkAs(null)
    expect(errors).toEqual([{ code: 'CD_NOM_NOT_FOUND', level: 'ERROR', column: 'cd_nom', rows: [5] }])
    expect(counts).toMatchObject({ rows: 4, valid: 3 })
  })

  it('a row narrowed to a taxon: lines of other taxa are OBSERVATION_NOT_AUTHORIZED', async () => {
    const { counts, errors } = await checkAs(owners.frogs!)
    expect(errors).toEqual([
      { code: 'CD_NOM_NOT_FOUND', level: 'ERROR', column: 'cd_nom', rows: [5] },
      { code: 'OBSERVATION_NOT_AUTHORIZED', level: 'ERROR', column: null, rows: [3] },
    ])
    expect(counts).toMatchObject({ rows: 4, valid: 2 })
  })

  it('a row narrowed to an area: lines outside it are OBSERVATION_NOT_AUTHORIZED', async () => {
    const { counts, errors } = await checkAs(owners.cell!)
    expect(errors).toEqual([
      { code: 'CD_NOM_NOT_FOUND', level: 'ERROR', column: 'cd_nom', rows: [5] },
      { code: 'OBSERVATION_NOT_AUTHORIZED', level: 'ERROR', column: null, rows: [4] },
    ])
    expect(counts).toMatchObject({ rows: 4, valid: 2 })
  })
})
