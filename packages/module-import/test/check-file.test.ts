import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CheckFixture, checkFixture } from './check-helpers.ts'

const FIELDS = {
  dateMin: { column: 'date' },
  cdNom: { column: 'cd_nom' },
  nomCite: { column: 'nom' },
  wkt: { column: 'wkt' },
}

describe('import checks: the file (columns per line, line numbers, encodings, GeoJSON, restart)', () => {
  let f: CheckFixture
  beforeAll(async () => {
    f = await checkFixture()
  })
  afterAll(async () => {
    await f?.close()
  })
  const storedFile = async (id: number) => {
    const { rows } = await f.pool.query<{ file_path: string }>(
      'SELECT file_path FROM import.imports WHERE id = $1',
      [id],
    )
    return join(f.uploadDir, 'import', rows[0]!.file_path)
  }

  it('counts lines as the user sees them (CRLF, empty lines, quoted line breaks) and flags short and long lines', async () => {
    const csv = [
      'date;cd_nom;nom;wkt', // 1
      '2024-05-12;60612;Lynx lynx;POINT(6.47 44.85)', // 2
      '', // 3 (empty, skipped)
      '2024-05-12;60612;"Lynx', // 4: a quoted name over two lines
      'lynx";POINT(6.47 44.85)', // 5
      '2024-05-12;60612;Lynx lynx;POINT(6.47 44.85);en trop', // 6 ROW_HAVE_TOO_MUCH_COLUMN
      '2024-05-12;60612;Lynx lynx', // 7 ROW_HAVE_LESS_COLUMN (and no geometry)
      '2024-05-12;abc;Lynx lynx;POINT(6.47 44.85)', // 8 INVALID_INTEGER
      ';;;', // 9 (separators only, as spreadsheets export blank rows: skipped)
    ].join('\r\n')
    const { id } = await f.upload('lines.csv', csv, { datasetId: String(f.dataset.id) })
    await f.mapFields(id, FIELDS)
    f.steps.length = 0
    const counts = await f.check(id)
    const expected = [
      { code: 'INVALID_INTEGER', level: 'ERROR', column: 'cd_nom', rows: [8] },
      { code: 'MISSING_GEOM', level: 'ERROR', column: null, rows: [7] },
      { code: 'ROW_HAVE_LESS_COLUMN', level: 'ERROR', column: null, rows: [7] },
      { code: 'ROW_HAVE_TOO_MUCH_COLUMN', level: 'ERROR', column: null, rows: [6] },
    ]
    expect(await f.errors(id)).toEqual(expected)
    expect(counts).toEqual({ rows: 5, valid: 2, errors: 4, warnings: 0 })
    const { rows } = await f.pool.query(
      `SELECT line, nom_cite FROM import.rows_${id} WHERE valid ORDER BY line`,
    )
    expect(rows).toEqual([
      { line: 2, nom_cite: 'Lynx lynx' },
      { line: 4, nom_cite: 'Lynx\r\nlynx' },
    ])
    // Progress: from the load to the end, never backwards.
    expect(f.steps[0]).toEqual({ step: 'load', progress: 0 })
    expect(f.steps.at(-1)).toEqual({ step: 'errors', progress: 1 })
    const progress = f.steps.map((s) => s.progress)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))

    // A restart gives the same result: staging table rebuilt, previous errors replaced.
    expect(await f.check(id)).toEqual(counts)
    expect(await f.errors(id)).toEqual(expected)
    const { rows: n } = await f.pool.query(`SELECT count(*)::int AS n FROM import.rows_${id}`)
    expect(n).toEqual([{ n: 5 }])
  })

  it('decodes UTF-8 with a BOM and Windows-1252', async () => {
    const text = 'date,cd_nom,nom,wkt\n2024-05-12,60612,Lynx lynx œ € é,POINT(6.47 44.85)\n'
    const bom = await f.upload(
      'bom.csv',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      {
        datasetId: String(f.dataset.id),
      },
    )
    const latin = await f.upload('latin.csv', iconv.encode(text, 'windows-1252'), {
      datasetId: String(f.dataset.id),
    })
    for (const { id } of [bom, latin]) {
      await f.mapFields(id, FIELDS)
      expect(await f.check(id)).toMatchObject({ rows: 1, valid: 1, errors: 0 })
      const { rows } = await f.pool.query(`SELECT nom_cite FROM import.rows_${id}`)
      expect(rows).toEqual([{ nom_cite: 'Lynx lynx œ € é' }])
    }
    const { rows } = await f.pool.query<{ encoding: string }>(
      'SELECT encoding FROM import.imports WHERE id = ANY($1) ORDER BY id',
      [[bom.id, latin.id]],
    )
    expect(rows.map((r) => r.encoding)).toEqual(['utf-8', 'windows-1252'])
  })

  it('reports EMPTY_FILE and HEADER_SAME_COLUMN_NAME when the file changed on disk since the upload', async () => {
    const { id } = await f.upload(
      'later.csv',
      'date,cd_nom,nom,wkt\n2024-05-12,60612,Lynx,POINT(6.4 44.8)\n',
      {
        datasetId: String(f.dataset.id),
      },
    )
    await f.mapFields(id, FIELDS)
    const path = await storedFile(id)
    await writeFile(path, 'date,cd_nom,nom,wkt\n')
    expect(await f.check(id)).toEqual({ rows: 0, valid: 0, errors: 1, warnings: 0 })
    expect(await f.errors(id)).toEqual([{ code: 'EMPTY_FILE', level: 'ERROR', column: null, rows: [null] }])

    await writeFile(path, 'date,cd_nom,nom,wkt,nom\n2024-05-12,60612,Lynx,POINT(6.4 44.8),x\n')
    expect(await f.check(id)).toMatchObject({ rows: 1, valid: 0 })
    expect(await f.errors(id)).toEqual([
      { code: 'HEADER_SAME_COLUMN_NAME', level: 'ERROR', column: 'nom', rows: [1] },
      { code: 'ROW_HAVE_TOO_MUCH_COLUMN', level: 'ERROR', column: null, rows: [2] },
    ])
  })

  it('reads GeoJSON features (line = feature number), their geometry as the WKT field', async () => {
    const feature = (props: Record<string, unknown>, geometry: unknown) => ({
      type: 'Feature',
      properties: props,
      geometry,
    })
    const props = { date: '2024-05-12', cd_nom: 60612, nom: 'Lynx lynx' }
    const collection = {
      type: 'FeatureCollection',
      features: [
        feature(props, { type: 'Point', coordinates: [6.47, 44.85] }), // 1 valid
        feature({ ...props, cd_nom: 1 }, { type: 'Point', coordinates: [6.47, 44.85] }), // 2 CD_NOM_NOT_FOUND
        feature(props, null), // 3 MISSING_GEOM
        feature(props, {
          type: 'Polygon',
          coordinates: [
            [
              [6, 44],
              [7, 45],
              [7, 44],
              [6, 45],
              [6, 44],
            ],
          ],
        }), // 4 INVALID_GEOMETRY
        feature(props, {
          type: 'LineString',
          coordinates: [
            [6.4, 44.8],
            [6.5, 44.9],
          ],
        }), // 5 valid
      ],
    }
    const { id, columns } = await f.upload('obs.geojson', JSON.stringify(collection), {
      datasetId: String(f.dataset.id),
    })
    expect(columns).toEqual(['date', 'cd_nom', 'nom', 'geometry'])
    await f.mapFields(id, { ...FIELDS, wkt: { column: 'geometry' } })
    expect(await f.check(id)).toMatchObject({ rows: 5, valid: 2 })
    expect(await f.errors(id)).toEqual([
      { code: 'CD_NOM_NOT_FOUND', level: 'ERROR', column: 'cd_nom', rows: [2] },
      { code: 'INVALID_GEOMETRY', level: 'ERROR', column: 'geometry', rows: [4] },
      { code: 'MISSING_GEOM', level: 'ERROR', column: null, rows: [3] },
    ])
    const { rows } = await f.pool.query(
      `SELECT line, ST_AsText(the_geom_4326) AS wkt FROM import.rows_${id} WHERE valid ORDER BY line`,
    )
    expect(rows).toEqual([
      { line: 1, wkt: 'POINT(6.47 44.85)' },
      { line: 5, wkt: 'LINESTRING(6.4 44.8,6.5 44.9)' },
    ])
  })
})
