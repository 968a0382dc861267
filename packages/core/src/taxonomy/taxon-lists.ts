import { parse } from 'csv-parse/sync'
import type pg from 'pg'
import { withTransaction } from '../db/transaction.ts'
import { badRequest, conflict, notFound } from '../http/app-error.ts'
import { findTaxa } from './taxonomy-service.ts'

export interface TaxonListRow {
  id: number
  code: string
  name: string
  description: string | null
  taxaCount: number
  createdAt: string
  updatedAt: string
}

const LIST_COLUMNS = `l.id, l.code, l.name, l.description,
  (SELECT count(*)::int FROM taxonomie.taxon_list_items i WHERE i.list_id = l.id) AS "taxaCount",
  to_json(l.created_at)#>>'{}' AS "createdAt", to_json(l.updated_at)#>>'{}' AS "updatedAt"`

export async function listTaxonLists(db: pg.Pool | pg.ClientBase): Promise<TaxonListRow[]> {
  const { rows } = await db.query<TaxonListRow>(
    `SELECT ${LIST_COLUMNS} FROM taxonomie.taxon_lists l ORDER BY l.name, l.id`,
  )
  return rows
}

export async function getTaxonList(db: pg.Pool | pg.ClientBase, id: number): Promise<TaxonListRow> {
  const { rows } = await db.query<TaxonListRow>(
    `SELECT ${LIST_COLUMNS} FROM taxonomie.taxon_lists l WHERE l.id = $1`,
    [id],
  )
  if (!rows[0]) throw notFound('TAXON_LIST_NOT_FOUND', `Taxon list ${id} does not exist`)
  return rows[0]
}

/** Fails with 400 UNKNOWN_CD_NOM listing the cd_nom absent from TAXREF. */
async function assertTaxaExist(client: pg.ClientBase, cdNoms: readonly number[]) {
  const { missing } = await findTaxa(client, cdNoms)
  if (missing.length) {
    throw badRequest(
      'UNKNOWN_CD_NOM',
      `${missing.length} cd_nom not in TAXREF: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`,
      { unknown: missing },
    )
  }
}

/** Adds taxa to a list (existing entries kept); returns how many were new. */
async function addItems(client: pg.ClientBase, listId: number, cdNoms: readonly number[]): Promise<number> {
  const { rowCount } = await client.query(
    `INSERT INTO taxonomie.taxon_list_items (list_id, cd_nom)
     SELECT $1, c FROM unnest($2::integer[]) AS c ON CONFLICT DO NOTHING`,
    [listId, [...new Set(cdNoms)]],
  )
  return rowCount ?? 0
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505'

/** A transaction in which a duplicate list code is a 409, not a 500. */
async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  try {
    return await withTransaction(pool, fn)
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('TAXON_LIST_CODE_TAKEN', 'Another taxon list has this code')
    throw error
  }
}

export interface TaxonListInput {
  code?: string
  name?: string
  description?: string | null
  cdNoms?: number[]
}

export async function createTaxonList(
  pool: pg.Pool,
  input: Required<Pick<TaxonListInput, 'code' | 'name'>> & TaxonListInput,
) {
  return inTransaction(pool, async (client) => {
    if (input.cdNoms) await assertTaxaExist(client, input.cdNoms)
    const { rows } = await client.query<{ id: number }>(
      'INSERT INTO taxonomie.taxon_lists (code, name, description) VALUES ($1, $2, $3) RETURNING id',
      [input.code, input.name, input.description ?? null],
    )
    const id = rows[0]!.id
    if (input.cdNoms) await addItems(client, id, input.cdNoms)
    return getTaxonList(client, id)
  })
}

export async function updateTaxonList(pool: pg.Pool, id: number, input: TaxonListInput) {
  return inTransaction(pool, async (client) => {
    await getTaxonList(client, id)
    if (input.cdNoms) await assertTaxaExist(client, input.cdNoms)
    const fields = (['code', 'name', 'description'] as const).filter((f) => input[f] !== undefined)
    await client.query(
      `UPDATE taxonomie.taxon_lists SET ${fields.map((f, i) => `${f} = $${i + 2}, `).join('')}updated_at = now()
        WHERE id = $1`,
      [id, ...fields.map((f) => input[f])],
    )
    if (input.cdNoms) {
      await client.query('DELETE FROM taxonomie.taxon_list_items WHERE list_id = $1', [id])
      await addItems(client, id, input.cdNoms)
    }
    return getTaxonList(client, id)
  })
}

export async function deleteTaxonList(pool: pg.Pool, id: number) {
  try {
    const { rowCount } = await pool.query('DELETE FROM taxonomie.taxon_lists WHERE id = $1', [id])
    if (!rowCount) throw notFound('TAXON_LIST_NOT_FOUND', `Taxon list ${id} does not exist`)
  } catch (error) {
    if ((error as { code?: string }).code === '23503') {
      throw conflict(
        'TAXON_LIST_IN_USE',
        `Taxon list ${id} is used (e.g. by a dataset) and cannot be deleted`,
      )
    }
    throw error
  }
}

/**
 * cd_nom from a CSV: one per line, or the column named cd_nom (any case) of a file with a header; separators
 * `,` `;` or tab. A value that is not a positive integer fails with its line number.
 */
export function parseCdNomCsv(text: string): number[] {
  let records: string[][]
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      delimiter: [',', ';', '\t'],
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as string[][]
  } catch (error) {
    throw badRequest('INVALID_CSV', `The CSV cannot be read: ${(error as Error).message}`)
  }
  if (!records.length) throw badRequest('INVALID_CSV', 'The CSV has no cd_nom')
  const header = records[0]!.map((h) => h.toLowerCase())
  let column = 0
  let first = 0
  if (!/^\d+$/.test(records[0]![0] ?? '')) {
    column = header.indexOf('cd_nom')
    if (column < 0)
      throw badRequest('INVALID_CSV', 'Line 1: no cd_nom column (give a header "cd_nom" or only numbers)')
    first = 1
  }
  const cdNoms: number[] = []
  for (let i = first; i < records.length; i++) {
    const value = records[i]![column] ?? ''
    if (!/^\d{1,10}$/.test(value) || Number(value) < 1 || Number(value) > 2_147_483_647) {
      throw badRequest('INVALID_CSV', `Line ${i + 1}: "${value.slice(0, 40)}" is not a cd_nom`, {
        line: i + 1,
      })
    }
    cdNoms.push(Number(value))
  }
  return cdNoms
}

/** Adds (or, mode replace, sets) the taxa of a list from cd_nom; unknown cd_nom → 400 and nothing written. */
export async function importTaxonListItems(
  pool: pg.Pool,
  id: number,
  cdNoms: number[],
  mode: 'append' | 'replace',
) {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT 1 FROM taxonomie.taxon_lists WHERE id = $1 FOR UPDATE', [id])
    await getTaxonList(client, id)
    await assertTaxaExist(client, cdNoms)
    if (mode === 'replace')
      await client.query('DELETE FROM taxonomie.taxon_list_items WHERE list_id = $1', [id])
    const added = await addItems(client, id, cdNoms)
    await client.query('UPDATE taxonomie.taxon_lists SET updated_at = now() WHERE id = $1', [id])
    return { list: await getTaxonList(client, id), received: cdNoms.length, added }
  })
}
