import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { withTransaction } from '../db/transaction.ts'
import {
  type ParsedTaxref,
  TAXREF_DB_COLUMNS,
  type TaxrefSourceOptions,
  taxrefCopyChunks,
  taxrefLines,
} from './taxref-format.ts'

export interface TaxrefImportReport {
  /** Rows in the file. */
  rows: number
  inserted: number
  updated: number
  unchanged: number
  /** Names absent from the file and used nowhere: deleted (with their taxon list entries). */
  deleted: number
  /** Names absent from the file but still referenced (e.g. by observations): kept, never deleted. */
  kept: { cdNom: number; usedBy: string[] }[]
  /** Taxon list entries removed with the deleted names. */
  listItemsRemoved: number
  seconds: number
  rowsPerSecond: number
  /** Seconds per stage (copy, hierarchy, upsert, deletions, search terms, indexes). */
  stages: Record<string, number>
}

/**
 * taxonomie.normalize_name(x) written inline: the SQL function cannot be inlined by the planner (unaccent is only
 * STABLE), and calling it a million times costs more than the rest of the search-term build. Same expression.
 */
export const normalizeNameSql = (x: string) =>
  `btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, ${x})), '[^a-z0-9]+', ' ', 'g'))`

const COLUMNS = TAXREF_DB_COLUMNS.join(', ')
const STAGING_DDL = TAXREF_DB_COLUMNS.map((c) =>
  ['cd_nom', 'cd_ref', 'cd_sup', 'cd_taxsup', 'habitat'].includes(c) ? `${c} integer` : `${c} text`,
).join(', ')

/**
 * Tables outside the taxonomy schema whose foreign key points at taxref.cd_nom (observations, …): a name they
 * use is never deleted by an import. A table that stores cd_nom without such a foreign key is not seen.
 */
async function taxrefReferences(client: pg.ClientBase): Promise<{ table: string; column: string }[]> {
  const { rows } = await client.query<{ table: string; column: string }>(
    `SELECT format('%I.%I', n.nspname, r.relname) AS table, a.attname AS column
       FROM pg_constraint c
       JOIN pg_class r ON r.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = r.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND c.confrelid = 'taxonomie.taxref'::regclass AND cardinality(c.conkey) = 1
        AND n.nspname <> 'taxonomie'
      ORDER BY 1, 2`,
  )
  return rows
}

/** Secondary indexes of the taxonomy tables (dropped and rebuilt around a first, bulk, import). */
async function secondaryIndexes(client: pg.ClientBase): Promise<{ name: string; definition: string }[]> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT format('%I.%I', i.schemaname, i.indexname) AS name, i.indexdef AS definition
       FROM pg_indexes i
       JOIN pg_class c ON c.relname = i.indexname
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.schemaname
       JOIN pg_index x ON x.indexrelid = c.oid
      WHERE i.schemaname = 'taxonomie' AND i.tablename IN ('taxref', 'taxref_search')
        AND NOT x.indisprimary AND NOT x.indisunique`,
  )
  return rows
}

/**
 * Loads a TAXREF file into taxonomie.taxref inside the caller's transaction: the file is streamed with COPY into a
 * staging table, the hierarchy is computed there, then one set-based upsert; names absent from the file are deleted
 * unless referenced (then reported); the search terms of changed names are rebuilt. The caller commits or rolls
 * back: a malformed file throws TaxrefFormatError (with its line) and must leave nothing written.
 */
export async function loadTaxref(
  client: pg.ClientBase,
  input: string | Readable,
  options: TaxrefSourceOptions = {},
): Promise<TaxrefImportReport> {
  const started = performance.now()
  const stages: Record<string, number> = {}
  let stageStart = started
  const stage = (name: string) => {
    const now = performance.now()
    stages[name] = Math.round(now - stageStart) / 1000
    stageStart = now
  }
  await client.query('LOCK TABLE taxonomie.taxref IN SHARE ROW EXCLUSIVE MODE')
  // Sorts (DISTINCT, hierarchy) and index builds of a full TAXREF fit in memory.
  // JIT off: the planner's row estimates for the set-returning functions are huge, and compiling costs more than
  // running these queries.
  await client.query(
    "SET LOCAL work_mem = '64MB'; SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL jit = off",
  )
  await client.query(`
    DROP TABLE IF EXISTS pg_temp.taxref_staging, pg_temp.taxref_tree, pg_temp.taxref_changed, pg_temp.taxref_absent;
    CREATE TEMP TABLE taxref_staging (${STAGING_DDL}, line integer NOT NULL) ON COMMIT DROP`)

  const progress: ParsedTaxref = { rows: 0 }
  await pipeline(
    Readable.from(taxrefCopyChunks(taxrefLines(input, options), progress)),
    client.query(copyFrom(`COPY taxref_staging (${COLUMNS}, line) FROM STDIN`)),
  )
  await client.query(`
    CREATE UNIQUE INDEX ON taxref_staging (cd_nom);
    ANALYZE taxref_staging`)
  stage('copy')

  // The hierarchy of valid names from their parent (CD_SUP, else CD_TAXSUP, taken as its valid name). A name whose
  // parent is missing from the file starts a chain of its own; names caught in a cycle get their own cd_nom as path.
  await client.query(`
    CREATE TEMP TABLE taxref_tree ON COMMIT DROP AS
    WITH RECURSIVE valid AS MATERIALIZED (
      SELECT s.cd_nom, p.cd_ref AS parent
        FROM taxref_staging s LEFT JOIN taxref_staging p ON p.cd_nom = COALESCE(s.cd_sup, s.cd_taxsup)
       WHERE s.cd_nom = s.cd_ref
    ), tree AS (
      SELECT v.cd_nom, NULL::integer AS parent, text2ltree(v.cd_nom::text) AS path, 1 AS depth
        FROM valid v
       WHERE v.parent IS NULL OR v.parent = v.cd_nom OR NOT EXISTS (SELECT 1 FROM valid w WHERE w.cd_nom = v.parent)
      UNION ALL
      SELECT v.cd_nom, v.parent, t.path || text2ltree(v.cd_nom::text), t.depth + 1
        FROM valid v JOIN tree t ON v.parent = t.cd_nom
       WHERE v.parent <> v.cd_nom AND t.depth < 200
    )
    SELECT cd_nom, parent, path FROM tree;
    CREATE UNIQUE INDEX ON taxref_tree (cd_nom);
    ANALYZE taxref_tree`)
  stage('hierarchy')

  const { rows: counts } = await client.query<{ existing: number; incoming_new: number }>(
    `SELECT (SELECT count(*)::int FROM taxonomie.taxref) AS existing,
            (SELECT count(*)::int FROM taxref_staging s
              WHERE NOT EXISTS (SELECT 1 FROM taxonomie.taxref t WHERE t.cd_nom = s.cd_nom)) AS incoming_new`,
  )
  const { existing, incoming_new: inserted } = counts[0]!
  // Many new names (a first import): building the indexes once at the end is much faster than maintaining them.
  // DROP INDEX locks the tables until commit, so the autocomplete waits for such an import to finish.
  const bulk = inserted > 50_000 && inserted > existing / 2
  const rebuild = bulk ? await secondaryIndexes(client) : []
  for (const index of rebuild) await client.query(`DROP INDEX ${index.name}`)

  const updatable = [...TAXREF_DB_COLUMNS.filter((c) => c !== 'cd_nom'), 'parent_cd_nom', 'path']
  await client.query(`
    CREATE TEMP TABLE taxref_changed (cd_nom integer PRIMARY KEY) ON COMMIT DROP;
    WITH upserted AS (
      INSERT INTO taxonomie.taxref (${COLUMNS}, parent_cd_nom, path)
      SELECT ${TAXREF_DB_COLUMNS.map((c) => `s.${c}`).join(', ')}, t.parent, COALESCE(t.path, text2ltree(s.cd_nom::text))
        FROM taxref_staging s LEFT JOIN taxref_tree t ON t.cd_nom = s.cd_ref
      ON CONFLICT (cd_nom) DO UPDATE SET ${updatable.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = now()
       WHERE (${updatable.map((c) => `taxref.${c}`).join(', ')}) IS DISTINCT FROM (${updatable.map((c) => `excluded.${c}`).join(', ')})
      RETURNING cd_nom
    )
    INSERT INTO taxref_changed SELECT cd_nom FROM upserted`)
  const changed = Number((await client.query('SELECT count(*) FROM taxref_changed')).rows[0].count)
  stage('upsert')

  // Names the new file no longer has: deleted unless something outside the taxonomy still references them.
  await client.query(`
    CREATE TEMP TABLE taxref_absent ON COMMIT DROP AS
    SELECT t.cd_nom, ARRAY[]::text[] AS used_by FROM taxonomie.taxref t
     WHERE NOT EXISTS (SELECT 1 FROM taxref_staging s WHERE s.cd_nom = t.cd_nom)`)
  for (const ref of await taxrefReferences(client)) {
    await client.query(
      `UPDATE taxref_absent a SET used_by = used_by || $1::text
        WHERE EXISTS (SELECT 1 FROM ${ref.table} r WHERE r.${ref.column} = a.cd_nom)`,
      [`${ref.table}.${ref.column}`],
    )
  }
  const { rows: kept } = await client.query<{ cd_nom: number; used_by: string[] }>(
    'SELECT cd_nom, used_by FROM taxref_absent WHERE cardinality(used_by) > 0 ORDER BY cd_nom',
  )
  const listItemsRemoved = Number(
    (
      await client.query(
        `SELECT count(*) FROM taxonomie.taxon_list_items i JOIN taxref_absent a USING (cd_nom)
          WHERE cardinality(a.used_by) = 0`,
      )
    ).rows[0].count,
  )
  await client.query(
    `DELETE FROM taxonomie.taxref_search s USING taxref_absent a
      WHERE a.cd_nom = s.cd_nom AND cardinality(a.used_by) = 0`,
  )
  const deleted =
    (
      await client.query(
        `DELETE FROM taxonomie.taxref t USING taxref_absent a
          WHERE a.cd_nom = t.cd_nom AND cardinality(a.used_by) = 0`,
      )
    ).rowCount ?? 0

  stage('deletions')

  // Search terms: the normalized scientific name and, for valid names, each vernacular name (NOM_VERN lists them
  // separated by commas; synonyms repeat their valid name's, which would only duplicate the hits),
  // from their first word and from each later word of three letters or more (grp, see the migration).
  if (existing > 0) {
    await client.query(
      'DELETE FROM taxonomie.taxref_search s USING taxref_changed c WHERE s.cd_nom = c.cd_nom',
    )
  }
  await client.query(`
    INSERT INTO taxonomie.taxref_search (cd_nom, cd_ref, grp, vernacular, term, regne, group2_inpn)
    SELECT DISTINCT t.cd_nom, t.cd_ref,
           (CASE WHEN t.cd_nom = t.cd_ref THEN 0 ELSE 2 END + CASE WHEN w.i > 1 THEN 1 ELSE 0 END)::smallint,
           n.vernacular, array_to_string(n.words[w.i:], ' '), t.regne, t.group2_inpn
      FROM taxref_changed c
      JOIN taxonomie.taxref t USING (cd_nom)
      CROSS JOIN LATERAL (
        SELECT false AS vernacular, string_to_array(${normalizeNameSql('t.lb_nom')}, ' ') AS words
        UNION ALL
        SELECT true, string_to_array(${normalizeNameSql('v')}, ' ')
          FROM regexp_split_to_table(t.nom_vern, ',') AS v
         WHERE t.cd_nom = t.cd_ref
      ) n
      CROSS JOIN LATERAL generate_series(1, cardinality(n.words)) AS w(i)
     WHERE n.words[1] <> '' AND (w.i = 1 OR length(n.words[w.i]) > 2)`)

  stage('search terms')
  for (const index of rebuild) await client.query(index.definition)
  if (changed + deleted > 10_000) await client.query('ANALYZE taxonomie.taxref, taxonomie.taxref_search')
  stage('indexes')

  const seconds = (performance.now() - started) / 1000
  return {
    rows: progress.rows,
    inserted,
    updated: changed - inserted,
    unchanged: progress.rows - changed,
    deleted,
    kept: kept.map((k) => ({ cdNom: k.cd_nom, usedBy: k.used_by })),
    listItemsRemoved,
    seconds,
    rowsPerSecond: Math.round(progress.rows / Math.max(seconds, 0.001)),
    stages,
  }
}

/** Imports a TAXREF file in one transaction: all of it, or (malformed file, any error) nothing. */
export async function importTaxrefFile(
  pool: pg.Pool,
  input: string | Readable,
  options: TaxrefSourceOptions = {},
): Promise<TaxrefImportReport> {
  const report = await withTransaction(pool, (client) => loadTaxref(client, input, options))
  // After a bulk change, fresh statistics and visibility information keep the autocomplete on index-only paths.
  if (report.inserted + report.updated + report.deleted > 10_000) {
    await pool.query('VACUUM (ANALYZE) taxonomie.taxref, taxonomie.taxref_search')
  }
  return report
}

/**
 * The baseline of the import benchmark: a plain `COPY` of a TAXREF file (header skipped) into a new table of text
 * columns named `table`, with no parsing, checks or hierarchy. Returns the rows copied.
 */
export async function copyTaxrefFileRaw(client: pg.ClientBase, file: string, table: string): Promise<number> {
  const header = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: createReadStream(file, 'utf8') })
    lines.once('line', (line) => {
      lines.close()
      resolve(line)
    })
    lines.once('error', reject)
  })
  const columns = header
    .replace(/^\uFEFF/, '')
    .split('\t')
    .map((h) => `"${h.replaceAll('"', '""').toLowerCase()}" text`)
  await client.query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${columns.join(', ')})`)
  const copy = client.query(copyFrom(`COPY ${table} FROM STDIN (FORMAT text, HEADER true)`))
  await pipeline(createReadStream(file), copy)
  return Number(copy.rowCount)
}
