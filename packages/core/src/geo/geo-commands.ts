import { parseArgs } from 'node:util'
import { withPlatform } from '../cli/cli-platform.ts'
import { withTransaction } from '../db/transaction.ts'
import { importAreas } from './import-areas.ts'
import { generateGrid } from './inpn-grid.ts'

const integer = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be an integer, got "${value}"`)
  return Number(value)
}

/** `geo:import --type COM FILE [--code-field F] [--name-field F] [--srid N] [--encoding E] [--make-valid]` */
export async function geoImportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      type: { type: 'string' },
      'code-field': { type: 'string' },
      'name-field': { type: 'string' },
      srid: { type: 'string' },
      encoding: { type: 'string' },
      source: { type: 'string' },
      'make-valid': { type: 'boolean' },
    },
  })
  if (!values.type) throw new Error('--type is required (an area type code: COM, DEP, M10…)')
  if (positionals.length !== 1) throw new Error('Give exactly one file: a .geojson/.json or a .shp')
  const srid = integer('srid', values.srid)
  await withPlatform(async ({ database }) => {
    const started = performance.now()
    const result = await importAreas(database.pool, {
      typeCode: values.type!,
      file: positionals[0]!,
      codeField: values['code-field'],
      nameField: values['name-field'],
      srid,
      encoding: values.encoding,
      source: values.source,
      makeValid: values['make-valid'],
    })
    const seconds = (performance.now() - started) / 1000
    process.stderr.write(
      `${result.features} ${result.typeCode} areas read (EPSG:${result.srid}): ${result.inserted} added, ` +
        `${result.updated} updated${result.repaired ? `, ${result.repaired} repaired with ST_MakeValid` : ''} ` +
        `in ${seconds.toFixed(1)} s (${Math.round(result.features / seconds)} features/s).\n`,
    )
  })
}

/** `geo:grids --size 10 --bbox xmin,ymin,xmax,ymax [--srid 4326|2154]` */
export async function geoGridsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      size: { type: 'string' },
      bbox: { type: 'string' },
      srid: { type: 'string', default: '4326' },
    },
  })
  const sizeKm = integer('size', values.size)
  if (sizeKm === undefined) throw new Error('--size is required: 1, 5 or 10 (km)')
  if (!values.bbox) throw new Error('--bbox xmin,ymin,xmax,ymax is required')
  const bbox = values.bbox.split(',').map(Number)
  if (bbox.length !== 4 || !bbox.every(Number.isFinite)) {
    throw new Error('--bbox must be four numbers: xmin,ymin,xmax,ymax')
  }
  const srid = integer('srid', values.srid)!
  if (srid !== 4326 && srid !== 2154) throw new Error('--srid must be 4326 (lon/lat) or 2154 (Lambert-93)')
  await withPlatform(async ({ database }) => {
    const result = await withTransaction(database.pool, (client) =>
      generateGrid(client, { sizeKm, bbox: bbox as [number, number, number, number], srid }),
    )
    process.stderr.write(
      `${result.cells} ${result.typeCode} cells cover the bbox: ${result.inserted} added, ` +
        `${result.cells - result.inserted} already present.\n`,
    )
  })
}
