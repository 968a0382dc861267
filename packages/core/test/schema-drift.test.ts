import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { get_dmmf } from '@prisma/prisma-schema-wasm'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rootDir } from '../src/config.ts'
import { createTestDatabase, type TestDatabase } from './helpers/index.ts'

interface DmmfField {
  name: string
  dbName?: string | null
  kind: string
  type: string
  isRequired: boolean
  nativeType?: [string, string[]] | null
}
interface DmmfModel {
  name: string
  dbName: string | null
  schema: string | null
  fields: DmmfField[]
}

const SCALAR_TYPES: Record<string, string> = {
  Int: 'integer',
  BigInt: 'bigint',
  String: 'text',
  Boolean: 'boolean',
  DateTime: 'timestamp without time zone',
  Float: 'double precision',
  Decimal: 'numeric',
  Json: 'jsonb',
  Bytes: 'bytea',
}
const NATIVE_TYPES: Record<string, string> = {
  SmallInt: 'smallint',
  Uuid: 'uuid',
  Char: 'character',
  VarChar: 'character varying',
  Timestamptz: 'timestamp with time zone',
  Date: 'date',
  Time: 'time without time zone',
  JsonB: 'jsonb',
  DoublePrecision: 'double precision',
}

function prismaColumns(): { schemas: string[]; columns: string[] } {
  const dir = join(rootDir, 'prisma/schema')
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.prisma'))
    .map((f) => [f, readFileSync(join(dir, f), 'utf8')])
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: files }))) as {
    datamodel: { models: DmmfModel[] }
  }
  const datasource = files
    .map(([, text]) => text)
    .join('\n')
    .match(/schemas\s*=\s*\[([^\]]*)\]/)
  const schemas = [...(datasource?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!)
  const columns = dmmf.datamodel.models.flatMap((model) =>
    model.fields
      .filter((f) => f.kind === 'scalar' || f.kind === 'enum')
      .map((f) => {
        const type = f.nativeType ? NATIVE_TYPES[f.nativeType[0]] : SCALAR_TYPES[f.type]
        return `${model.schema}.${model.dbName ?? model.name}.${f.dbName ?? f.name} ${type ?? f.type}${f.isRequired ? ' not null' : ''}`
      }),
  )
  return { schemas, columns: [...columns, ...unsupportedColumns(files.map(([, text]) => text!))].sort() }
}

/** Prisma's DMMF leaves out `Unsupported("geometry(...)")` fields (PostGIS, ltree): read them from the text. */
function unsupportedColumns(texts: string[]): string[] {
  return texts.flatMap((text) =>
    [...text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)].flatMap(([, model, body]) => {
      const table = body!.match(/@@map\("([^"]+)"\)/)?.[1] ?? model
      const schema = body!.match(/@@schema\("([^"]+)"\)/)?.[1]
      return [...body!.matchAll(/^\s*(\w+)\s+Unsupported\("[^"]+"\)(\?)?(.*)$/gm)].map(
        ([, field, optional, rest]) => {
          const column = rest!.match(/@map\("([^"]+)"\)/)?.[1] ?? field
          return `${schema}.${table}.${column} USER-DEFINED${optional ? '' : ' not null'}`
        },
      )
    }),
  )
}

describe('Prisma schema and migrations', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(() => db.drop())

  it('describe the same tables and columns (no drift)', async () => {
    const expected = prismaColumns()
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    const { rows } = await client.query<{ col: string }>(
      `SELECT table_schema || '.' || table_name || '.' || column_name || ' ' || data_type
              || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END AS col
         FROM information_schema.columns
        WHERE table_schema = ANY($1)
          AND (table_schema, table_name) IN (SELECT table_schema, table_name FROM information_schema.tables
                                              WHERE table_type = 'BASE TABLE')
        ORDER BY 1`,
      [expected.schemas],
    )
    await client.end()
    expect(expected.columns.length).toBeGreaterThan(30)
    expect(rows.map((r) => r.col).sort()).toEqual(expected.columns)
  })
})
