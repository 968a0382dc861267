// Import benchmark (issue 5): a generated CSV of N rows (a few % of errors of several kinds) taken through the whole
// workflow over HTTP against a real server (child process): upload → field mapping (the "GeoNature synthese export"
// preset) → content mapping (the suggestions) → check → finalize, then undo; time per step and end to end, peak RSS
// of the server, next to `COPY` of the same file into a bare table of text columns on the same database.
//
//   pnpm bench:import [--rows 100000] [--sensitive 0[,5,…]] [--db NAME] [--keep-file] [--keep-import]
//
// Database: biodiv_bench_import on the server of BENCH_DATABASE_URL, else DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres; created (migrations, module sync, demo seed, the synthetic TAXREF of
// 600 000 names) on the first run, marked with a COMMENT and reused (each run undoes its import). Progress goes to
// stderr, the markdown report to stdout.
// `--sensitive PCT` (issue 11): before the import, SINP sensitivity rules (source 'bench') on the most frequent taxa
// of the file's rows until ≈ PCT % of them are covered (levels 1–3 and a few 4; previous bench rules removed first),
// so that the finalize's row trigger computes levels and blurred geometries for them. A list (`--sensitive 0,5,5,0`)
// runs the same file once per value, in that order, each with its own COPY baseline and a fresh server, and ends with
// the ratios to the first value's runs. The file's taxa avoid every name under a non-bench rule (the demo's sample
// rules), so that 0 means no sensitive row.
import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync, openAsBlob } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { hashPassword } from '../../packages/core/src/auth/passwords.ts'
import { loadConfig, rootDir } from '../../packages/core/src/config.ts'
import { createServer } from '../../packages/core/src/create-server.ts'
import { createDatabase } from '../../packages/core/src/db/database.ts'
import { seedDemo } from '../../packages/core/src/demo/seed-demo.ts'
import { preparePlatform } from '../../packages/core/src/platform.ts'
import { generateSyntheticTaxref } from '../../packages/core/src/taxonomy/generate-synthetic-taxref.ts'
import { importTaxrefFile } from '../../packages/core/src/taxonomy/taxref-import.ts'
import {
  BENCH_RULE_SOURCE,
  describeSensitivity,
  installBenchSensitivity,
  planBenchSensitivity,
  sensitivityCensus,
} from './bench-sensitivity.ts'
import { processMemory, sampleRss, startServer } from './synthese/bench-http.ts'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    db: { type: 'string', default: 'biodiv_bench_import' },
    'keep-file': { type: 'boolean', default: false },
    /** Leave the finalized import in place (no undo), e.g. to study its rows and staging table. */
    'keep-import': { type: 'boolean', default: false },
    sensitive: { type: 'string', default: '0' },
  },
})
const ROWS = Number(values.rows)
const SENSITIVE = values.sensitive.split(',').map(Number)
if (!SENSITIVE.length || SENSITIVE.some((p) => !(p >= 0 && p < 100)))
  throw new Error('--sensitive takes percentages (0 ≤ PCT < 100), comma-separated')
const DB = values.db
const MARK = 'pnpm bench:import'
const BENCH_PASSWORD = 'bench-import'
const TAXREF_NAMES = 600_000
const log = (message: string) => process.stderr.write(`${message}\n`)
const serverUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const withDatabase = (url: string, name: string) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
// pg-copy-streams as the core resolves it (the tests package does not depend on it).
const { from: copyFrom } = createRequire(join(rootDir, 'packages/core/package.json'))('pg-copy-streams') as {
  from: (sql: string) => NodeJS.WritableStream
}
const seconds = (ms: number) => (ms / 1000).toFixed(1)

/** The bench database, created, migrated and seeded once (marked), then reused. */
async function prepareDatabase(): Promise<string> {
  const admin = createDatabase(withDatabase(serverUrl, 'postgres'), 1)
  try {
    const { rows } = await admin.pool.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [DB],
    )
    if (rows[0] && !rows[0].comment?.startsWith(MARK))
      throw new Error(`database ${DB} exists and was not created by ${MARK}: not touching it`)
    if (!rows[0]) {
      log(`Creating ${DB} (migrations + demo seed) …`)
      await admin.pool.query(`CREATE DATABASE ${DB}`)
      await admin.pool.query(`COMMENT ON DATABASE ${DB} IS '${MARK}'`)
    }
  } finally {
    await admin.close()
  }
  const url = withDatabase(serverUrl, DB)
  const config = loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', NODE_ENV: 'test' })
  const platform = await preparePlatform(config, { info: () => undefined, warn: log })
  // The modules' actions are synced into core.module_actions when the app is ready (as a real start does): the
  // IMPORT grants below reference them (on a fresh database they do not exist before).
  const app = await createServer(platform)
  try {
    await app.ready()
    await seedDemo(platform.database.pool, config.DEMO_PASSWORD)
    // A full-size taxonomy (the synthetic TAXREF of bench:taxa and bench:synthese, 600 000 names), as an instance
    // has: the file's taxa are 500 of its species (the demo's 8 cannot make 5 % of the rows sensitive by taxon).
    const names = await platform.database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM taxonomie.taxref',
    )
    if (names.rows[0]!.n < TAXREF_NAMES) {
      const taxref = join(rootDir, `.data/bench/taxref-synthetic-${TAXREF_NAMES}.txt`)
      if (!existsSync(taxref)) {
        log(`Generating ${taxref} …`)
        await generateSyntheticTaxref(taxref, TAXREF_NAMES)
      }
      log('Importing the synthetic TAXREF (once) …')
      await importTaxrefFile(platform.database.pool, taxref)
      await platform.database.pool.query('VACUUM ANALYZE taxonomie.taxref')
    }
    // The importer: IMPORT C/R/U/D scope 3 (the demo seed grants no IMPORT permission).
    const pool = platform.database.pool
    await pool.query(
      `INSERT INTO core.users (login, password_hash, organism_id)
       SELECT 'bench_importer', $1, organism_id FROM core.users WHERE login = 'admin'
       ON CONFLICT (login) DO NOTHING`,
      [await hashPassword(BENCH_PASSWORD)],
    )
    await pool.query(
      `INSERT INTO core.permissions (user_id, module_code, action, scope)
       SELECT u.id, 'IMPORT', a, 3 FROM core.users u, unnest(ARRAY['C', 'R', 'U', 'D']) a
        WHERE u.login = 'bench_importer'
          AND NOT EXISTS (SELECT 1 FROM core.permissions p WHERE p.user_id = u.id AND p.module_code = 'IMPORT'
                                                              AND p.action = a)`,
    )
  } finally {
    await app.close()
    await platform.stopEmbedded()
  }
  return url
}

const HEADER = [
  'uuid_perm_sinp',
  'id_origine',
  'cd_nom',
  'nom_cite',
  'date_debut',
  'date_fin',
  'heure_debut',
  'heure_fin',
  'nombre_min',
  'nombre_max',
  'observateurs',
  'geometrie_wkt_4326',
  'sexe',
  'stade_vie',
  'comment_occurrence',
]
/** Error kinds, each on about 0.6 % of the rows (3 % in all), at fixed line positions. */
const ERROR_KINDS = [
  'CD_NOM_NOT_FOUND',
  'INVALID_DATE',
  'COUNT_MIN_SUP_COUNT_MAX',
  'INVALID_WKT',
  'DUPLICATE_UUID',
]

/** Writes the CSV (streamed), returns the expected count of lines with an error and the rows per cd_nom. */
async function generateFile(
  path: string,
  taxa: { cd_nom: number; lb_nom: string }[],
): Promise<{ bad: number; taxonRows: Map<number, number> }> {
  const taxonRows = new Map<number, number>()
  const out = createWriteStream(path)
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()))
  await write(`${HEADER.join(',')}\n`)
  let bad = 0
  let previousUuid = randomUUID()
  for (let i = 0; i < ROWS; i++) {
    const taxon = taxa[i % taxa.length]!
    const kind = i % 167 === 0 ? ERROR_KINDS[(i / 167) % ERROR_KINDS.length] : null
    if (kind) bad++
    if (kind !== 'CD_NOM_NOT_FOUND') taxonRows.set(taxon.cd_nom, (taxonRows.get(taxon.cd_nom) ?? 0) + 1)
    const day = new Date(Date.UTC(2015, 0, 1) + (i % 3000) * 86_400_000).toISOString().slice(0, 10)
    const lon = 5.5 + ((i * 7919) % 100_000) / 100_000
    const lat = 44.3 + ((i * 104_729) % 100_000) / 100_000
    const uuid = kind === 'DUPLICATE_UUID' ? previousUuid : randomUUID()
    previousUuid = uuid
    const min = 1 + (i % 5)
    const row = [
      uuid,
      `obs-${i}`,
      kind === 'CD_NOM_NOT_FOUND' ? '999999999' : String(taxon.cd_nom),
      `"${taxon.lb_nom.replaceAll('"', '""')}"`,
      kind === 'INVALID_DATE' ? '2021-02-30' : day,
      day,
      '08:30',
      '17:00',
      String(kind === 'COUNT_MIN_SUP_COUNT_MAX' ? min + 10 : min),
      String(min + (i % 3)),
      `"Observateur ${i % 50}, Second ${i % 7}"`,
      kind === 'INVALID_WKT' ? 'POINT(6.1 oops)' : `POINT(${lon.toFixed(5)} ${lat.toFixed(5)})`,
      ['Femelle', 'Mâle', 'Inconnu', 'Non renseigné'][i % 4]!,
      ['Adulte', 'Juvénile', 'Inconnu'][i % 3]!,
      i % 10 === 0 ? `"Remarque, ligne ${i}"` : '',
    ]
    await write(`${row.join(',')}\n`)
  }
  out.end()
  await new Promise<void>((r) => out.once('finish', () => r()))
  // DUPLICATE_UUID flags both lines of the pair.
  return { bad: bad + Math.floor(ROWS / 167 / ERROR_KINDS.length), taxonRows }
}

interface RunResult {
  percent: number
  startedAt: Date
  load: string[]
  steps: [string, number, string][]
  totalMs: number
  copyMs: number
  checkMs: number
  finalizeMs: number
  idle: number
  peak: number
  counts: { rows: number; errors: number }
  sensitivity: string
}

/** One import of the file through the API with `percent` % of its rows under bench sensitivity rules. */
async function runImport(
  url: string,
  db: ReturnType<typeof createDatabase>,
  file: string,
  taxonRows: Map<number, number>,
  datasetId: number,
  percent: number,
): Promise<RunResult> {
  const startedAt = new Date()
  const load = os.loadavg().map((l) => l.toFixed(1))
  log(`— run with --sensitive ${percent} (load ${load.join(' ')})`)
  const plan = await planBenchSensitivity(db.pool, taxonRows, percent)
  const installed = await installBenchSensitivity(db.pool, plan, log)

  // Baseline: COPY of the same file into a bare table of text columns.
  const client = await db.pool.connect()
  let copyMs: number
  try {
    await client.query('DROP TABLE IF EXISTS public.bench_import_copy')
    await client.query(`CREATE TABLE public.bench_import_copy (${HEADER.map((h) => `${h} text`).join(', ')})`)
    const t0 = performance.now()
    await pipeline(
      createReadStream(file),
      client.query(
        copyFrom('COPY public.bench_import_copy FROM STDIN (FORMAT csv, HEADER true)') as never,
      ) as unknown as NodeJS.WritableStream,
    )
    copyMs = performance.now() - t0
    await client.query('DROP TABLE public.bench_import_copy')
  } finally {
    client.release()
  }
  log(`COPY into a bare table: ${seconds(copyMs)} s`)

  const server = await startServer(rootDir, url, 4, log)
  try {
    const s = server
    const base = `http://127.0.0.1:${s.port}`
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bench_importer', password: BENCH_PASSWORD }),
    })
    if (login.status !== 200) throw new Error(`login bench_importer: ${login.status} ${await login.text()}`)
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
    // biome-ignore lint/suspicious/noExplicitAny: JSON replies of the API
    const api = async (method: string, path: string, body?: unknown): Promise<any> => {
      const response = await fetch(`${base}/api/import${path}`, {
        method,
        headers: {
          cookie,
          ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
        },
        body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
      })
      const json = await response.json()
      if (response.status >= 400)
        throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
      return json
    }
    const idle = processMemory(s.pid)!.rss
    const rss = sampleRss(s.pid, 50)
    const steps: [string, number, string][] = []
    const timed = async <T>(label: string, fn: () => Promise<T>, detail = (_: T) => ''): Promise<T> => {
      const start = performance.now()
      const result = await fn()
      const ms = performance.now() - start
      steps.push([label, ms, detail(result)])
      log(`${label}: ${seconds(ms)} s`)
      return result
    }
    const waitJob = async (id: number) => {
      for (;;) {
        const row = await api('GET', `/imports/${id}`)
        if (!['checking', 'importing'].includes(row.status)) return row
        await new Promise((r) => setTimeout(r, 250))
      }
    }

    const endToEnd = performance.now()
    const form = new FormData()
    form.append('datasetId', String(datasetId))
    form.append('file', await openAsBlob(file, { type: 'text/csv' }), `observations-${ROWS}.csv`)
    const imported = await timed('upload (multipart, streamed to disk, detection)', () =>
      api('POST', '/imports', form),
    )
    const id: number = imported.id
    const mappings = await api('GET', '/mappings')
    const preset = mappings.find((m: { name: string }) => m.name === 'GeoNature synthese export')
    await timed('field mapping (GeoNature preset)', () =>
      api('PUT', `/imports/${id}/field-mapping`, { mappingId: preset.id }),
    )
    await timed('content mapping (distinct values of the file + suggestions)', async () => {
      const values = await api('GET', `/imports/${id}/content-mapping/values`)
      const contentMapping: Record<string, Record<string, string>> = {}
      for (const f of values.fields)
        for (const v of f.values)
          if (v.suggestion) {
            contentMapping[f.field] ??= {}
            contentMapping[f.field]![v.value] = v.suggestion.code
          }
      return api('PUT', `/imports/${id}/content-mapping`, { contentMapping })
    })
    const checkStart = performance.now()
    const checked = await timed(
      'check (COPY into staging, set-based checks, errors)',
      async () => {
        await api('POST', `/imports/${id}/check`)
        return waitJob(id)
      },
      (r) => `${r.status}: ${r.counts.valid} valid, ${r.counts.errors} errors, ${r.counts.warnings} warnings`,
    )
    const checkMs = performance.now() - checkStart
    if (checked.status !== 'checked')
      throw new Error(`check ended ${checked.status}: ${JSON.stringify(checked.failure)}`)
    const finalizeStart = performance.now()
    const done = await timed(
      'finalize (one INSERT … SELECT into the synthese: row triggers incl. sensitivity, area links, cell counts)',
      async () => {
        await api('POST', `/imports/${id}/finalize`)
        return waitJob(id)
      },
      (r) => `${r.status}: ${r.counts.imported} observations`,
    )
    const finalizeMs = performance.now() - finalizeStart
    const totalMs = performance.now() - endToEnd
    if (done.status !== 'imported')
      throw new Error(`finalize ended ${done.status}: ${JSON.stringify(done.failure)}`)
    const peak = rss.stop()
    const census = await sensitivityCensus(
      db.pool,
      's.id_source = (SELECT id FROM gn_synthese.sources WHERE name = $1)',
      [`IMPORT:${id}`],
    )
    const sensitivity = describeSensitivity(plan, census, installed).replace(
      'rows now sensitive',
      'imported rows sensitive',
    )
    log(sensitivity)
    if (values['keep-import']) log(`Import ${id} kept (no undo)`)
    else
      await timed(
        'undo (DELETE: synthese rows, staging, errors, file)',
        () => api('DELETE', `/imports/${id}`),
        (r) => `${r.deletedObservations} observations deleted`,
      )
    return {
      percent,
      startedAt,
      load,
      steps,
      totalMs,
      copyMs,
      checkMs,
      finalizeMs,
      idle,
      peak,
      counts: { rows: checked.counts.rows, errors: checked.counts.errors },
      sensitivity,
    }
  } finally {
    await server.stop()
  }
}

async function main() {
  if (values['keep-import'] && SENSITIVE.length > 1)
    throw new Error(
      '--keep-import with several --sensitive values: the second import would meet the first one',
    )
  const url = await prepareDatabase()
  const db = createDatabase(url, 2)
  const tmp = await mkdtemp(join(os.tmpdir(), 'biodiv-bench-import-'))
  const file = join(tmp, `observations-${ROWS}.csv`)
  process.env.UPLOAD_DIR = join(tmp, 'uploads')
  try {
    // 500 species, none under a rule other than the bench's (the demo's sample rules): 0 % means no sensitive row.
    // Each is on 1/500 of the rows, so --sensitive 5 puts rules on about 25 of them.
    const { rows: taxa } = await db.pool.query<{ cd_nom: number; lb_nom: string }>(
      `SELECT cd_nom, lb_nom FROM taxonomie.taxref
        WHERE rang = 'ES' AND cd_nom NOT IN (SELECT rt.cd_nom FROM gn_sensitivity.rule_taxa rt
                               JOIN gn_sensitivity.rules r ON r.id = rt.rule_id
                              WHERE r.source IS DISTINCT FROM $1)
        ORDER BY cd_nom LIMIT 500`,
      [BENCH_RULE_SOURCE],
    )
    const { rows: datasets } = await db.pool.query<{ id: number }>(
      `SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE'`,
    )
    const t0 = performance.now()
    const { bad: expectedBad, taxonRows } = await generateFile(file, taxa)
    const size = (await stat(file)).size
    log(
      `Generated ${ROWS} rows of ${taxa.length} taxa (${(size / 1024 ** 2).toFixed(1)} MiB, ~${expectedBad} bad lines) in ${seconds(performance.now() - t0)} s`,
    )
    const version = (await db.pool.query('SHOW server_version')).rows[0].server_version as string
    const results: RunResult[] = []
    for (const percent of SENSITIVE)
      results.push(await runImport(url, db, file, taxonRows, datasets[0]!.id, percent))

    const out: string[] = []
    for (const r of results) {
      out.push(
        `### ${ROWS.toLocaleString('en')} rows (${(size / 1024 ** 2).toFixed(1)} MiB CSV), --sensitive ${r.percent}`,
        '',
        `\`pnpm bench:import --rows ${ROWS} --sensitive ${values.sensitive}\` — ${r.startedAt.toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, load ${r.load.join(' ')} at start, PostgreSQL ${version}; ${r.counts.errors} errors / ${r.counts.rows} rows (${ERROR_KINDS.join(', ')}); ${taxa.length} taxa in the file.`,
        '',
        r.sensitivity,
        '',
        '| step | time (s) | result |',
        '| --- | ---: | --- |',
        ...r.steps.map(([label, ms, detail]) => `| ${label} | ${seconds(ms)} | ${detail} |`),
        `| **end to end** (upload → imported) | **${seconds(r.totalMs)}** | ${(ROWS / (r.totalMs / 1000)).toFixed(0)} rows/s |`,
        `| \`COPY\` of the same file into a bare table | ${seconds(r.copyMs)} | end to end = ${(r.totalMs / r.copyMs).toFixed(1)}× COPY |`,
        '',
        `Server RSS: ${r.idle.toFixed(0)} MiB idle, peak ${r.peak.toFixed(0)} MiB during the workflow (sampled every 50 ms).`,
        '',
      )
    }
    if (results.length > 1) {
      // Ratios to the mean of the runs with the first value (the reference, e.g. 0 %).
      const reference = results.filter((r) => r.percent === results[0]!.percent)
      const mean = (pick: (r: RunResult) => number) =>
        reference.reduce((a, r) => a + pick(r), 0) / reference.length
      const [check, finalize, total, copy] = [
        mean((r) => r.checkMs),
        mean((r) => r.finalizeMs),
        mean((r) => r.totalMs),
        mean((r) => r.copyMs),
      ]
      out.push(
        `| run (in order) | load at start | check s | finalize s | end to end s | COPY s | end to end ÷ COPY | finalize ÷ ref | end to end ÷ ref |`,
        '|---|---|---:|---:|---:|---:|---:|---:|---:|',
        ...results.map(
          (r) =>
            `| --sensitive ${r.percent} | ${r.load.join(' ')} | ${seconds(r.checkMs)} | ${seconds(r.finalizeMs)} | ` +
            `${seconds(r.totalMs)} | ${seconds(r.copyMs)} | ${(r.totalMs / r.copyMs).toFixed(1)}× | ` +
            `${(r.finalizeMs / finalize).toFixed(3)}× | ${(r.totalMs / total).toFixed(3)}× |`,
        ),
        '',
        `Reference: the mean of the --sensitive ${results[0]!.percent} run(s) (check ${seconds(check)} s, finalize ` +
          `${seconds(finalize)} s, end to end ${seconds(total)} s, COPY ${seconds(copy)} s).`,
        '',
      )
    }
    process.stdout.write(`${out.join('\n')}\n`)
  } finally {
    await db.close()
    if (!values['keep-file']) await rm(tmp, { recursive: true, force: true })
    else log(`File kept: ${file}`)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
