// Synthese benchmark (issue 4): search first page, vector tiles, sheet and export on N generated observations, each
// next to the same SQL run directly with pg (the limit), at 1 and 32 concurrent clients, plus the server's memory.
//
//   pnpm bench:synthese [--observations 1000000] [--db NAME] [--fresh] [--requests 200] [--clients 32]
//                       [--per-client 50] [--budget 60] [--skip search,sheet,tiles,export,csv,geojson] [--pool 10]
//                       [--prepare-only] [--sensitive PCT]
//
// Database: biodiv_bench_synthese_<N> on the server of BENCH_DATABASE_URL, else DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres. Created (demo seed, synthetic TAXREF of 600 000 names,
// `data:generate` of N observations, VACUUM ANALYZE) on the first run, marked with a COMMENT, then reused: 1M rows
// take ~8 min to generate here. `--fresh` regenerates it (only a database carrying the bench's mark is ever dropped);
// `--db NAME` uses an existing database as it is. The database is always kept.
// Server: packages/core/src/server.ts as a child process (production mode, pool DATABASE_POOL_SIZE = --pool), a
// keep-alive client logged in as the demo admin (SYNTHESE R/E scope 3). SQL side: the exact text and parameters the
// endpoint runs, captured by calling the endpoint's own query function with a recording pool, run on a pg pool of the
// same size. Export baseline: `COPY (<the export query>) TO STDOUT` through pg-copy-streams, bytes discarded.
// Every measure stops early after --budget seconds (the count actually run is printed).
// `--sensitive PCT` (default 0, issue 11): before the server starts, SINP sensitivity rules (source 'bench') on the
// most frequent taxa until ≈ PCT % of the rows are covered, levels 1–3 and a few 4, the rows recomputed by the
// synthese's own trigger (idempotent: the previous bench rules are removed first; 0 removes them). Search, sheet and
// tiles are measured for two callers: precise (the demo admin: an ADMIN grant sees everything precisely) and blurred
// (`bench_reader`, created here: SYNTHESE R/E scope 3 without `sensitive_precise`), each next to its SQL.
// Progress goes to stderr; the markdown report goes to stdout.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  grantsJsonSql,
  type PermissionRows,
  permissionRowsJsonSql,
} from '../../packages/core/src/auth/grants.ts'
import { hashPassword } from '../../packages/core/src/auth/passwords.ts'
import { rootDir } from '../../packages/core/src/config.ts'
import { createDatabase } from '../../packages/core/src/db/database.ts'
import {
  type ObservationCaller,
  observationCaller,
} from '../../packages/core/src/sensitivity/observation-source.ts'
import { exportQuery } from '../../packages/core/src/synthese/synthese-export.ts'
import {
  getObservation,
  listObservations,
  type ObservationSearch,
  observationWhere,
} from '../../packages/core/src/synthese/synthese-queries.ts'
import {
  describeSensitivity,
  installBenchSensitivity,
  planBenchSensitivity,
  sensitivityCensus,
} from './bench-sensitivity.ts'
import { migrateBenchDatabase, prepareBenchDatabase } from './synthese/bench-database.ts'
import {
  type BenchServer,
  measure,
  processMemory,
  type Stats,
  sampleRss,
  startServer,
} from './synthese/bench-http.ts'
import { findTileFunction } from './synthese/bench-tiles.ts'

const { values } = parseArgs({
  options: {
    observations: { type: 'string', default: '1000000' },
    db: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    requests: { type: 'string', default: '200' },
    clients: { type: 'string', default: '32' },
    'per-client': { type: 'string', default: '50' },
    budget: { type: 'string', default: '60' },
    skip: { type: 'string', default: '' },
    pool: { type: 'string', default: '10' },
    'prepare-only': { type: 'boolean', default: false },
    sensitive: { type: 'string', default: '0' },
  },
})
const SENSITIVE = Number(values.sensitive)
if (!(SENSITIVE >= 0 && SENSITIVE < 100)) throw new Error('--sensitive takes a percentage (0 ≤ PCT < 100)')
const OBSERVATIONS = Number(values.observations)
const REQUESTS = Number(values.requests)
const CLIENTS = Number(values.clients)
const PER_CLIENT = Number(values['per-client'])
const BUDGET_MS = Number(values.budget) * 1000
const POOL = Number(values.pool)
const SKIP = new Set(values.skip.split(',').filter(Boolean))
const PAGE = 50
const log = (message: string) => process.stderr.write(`${message}\n`)
const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')

const serverUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

type Pool = ReturnType<typeof createDatabase>['pool']
interface Query {
  text: string
  params: unknown[]
  /** Queries of one group were in flight together (Promise.all); groups ran one after the other. */
  group: number
}

/** Queries the endpoint does not run per request: capability probes it caches per pool. */
const CACHED_PROBE = /postgis_libprotobuf_version\(\)/

/**
 * Calls one of the endpoint's query functions with a pool that records (and runs) its queries, in the order and
 * grouping they ran (queries issued while another is in flight share its group). Cached probes are left out.
 */
async function captureQueries(pool: Pool, call: (recording: Pool) => Promise<unknown>): Promise<Query[]> {
  const queries: Query[] = []
  let inFlight = 0
  let group = 0
  const recording = {
    query: (text: string, params?: unknown[]) => {
      if (inFlight === 0) group++
      inFlight++
      if (!CACHED_PROBE.test(text)) queries.push({ text, params: params ?? [], group })
      return pool.query(text, params).finally(() => inFlight--)
    },
  } as unknown as Pool
  await call(recording)
  return queries
}

/** Runs captured queries as the endpoint did: group after group, the queries of a group concurrently. */
async function replay(pool: Pool, queries: Query[]): Promise<void> {
  for (let i = 0; i < queries.length; ) {
    const group = queries.filter((q) => q.group === queries[i]!.group)
    await Promise.all(group.map((q) => pool.query(q.text, q.params)))
    i += group.length
  }
}

const BENCH_READER = 'bench_reader'
const BENCH_READER_PASSWORD = 'bench-reader'

/**
 * The unprivileged reader: SYNTHESE R and E at scope 3, no `sensitive_precise`, no other grant (recreated as such on
 * every run), in the admin's organism.
 */
async function ensureBenchReader(pool: Pool): Promise<void> {
  await pool.query(
    `INSERT INTO core.users (login, password_hash, organism_id)
     SELECT $1, $2, organism_id FROM core.users WHERE login = 'admin'
     ON CONFLICT (login) DO UPDATE SET password_hash = EXCLUDED.password_hash`,
    [BENCH_READER, await hashPassword(BENCH_READER_PASSWORD)],
  )
  await pool.query(
    `DELETE FROM core.user_groups WHERE user_id = (SELECT id FROM core.users WHERE login = $1)`,
    [BENCH_READER],
  )
  await pool.query(
    `DELETE FROM core.permissions WHERE user_id = (SELECT id FROM core.users WHERE login = $1)`,
    [BENCH_READER],
  )
  await pool.query(
    `INSERT INTO core.permissions (user_id, module_code, action, scope, sensitive_precise)
     SELECT u.id, 'SYNTHESE', a, 3, false FROM core.users u, unnest(ARRAY['R', 'E']) a WHERE u.login = $1`,
    [BENCH_READER],
  )
}

/**
 * The ObservationCaller the Synthese routes (SYNTHESE R) build for a user, computed by the core's own
 * `observationCaller` from the user's grants and permission rows as the session query reads them.
 */
async function observationCallerOf(pool: Pool, login: string): Promise<ObservationCaller> {
  const { rows } = await pool.query<{
    id: number
    organism_id: number | null
    grants: Record<string, Record<string, number>>
    permission_rows: PermissionRows
  }>(
    `SELECT u.id, u.organism_id, ${grantsJsonSql('u.id')} AS grants,
            ${permissionRowsJsonSql('u.id')} AS permission_rows
       FROM core.users u WHERE u.login = $1`,
    [login],
  )
  const user = rows[0]
  if (!user) throw new Error(`no user ${login}`)
  const scope = user.grants.SYNTHESE?.R
  if (!scope) throw new Error(`${login} has no SYNTHESE R grant`)
  const request = {
    user: { id: user.id, organismId: user.organism_id },
    scope,
    _permissionRows: user.permission_rows,
    routeOptions: { config: { module: 'SYNTHESE', permission: 'R' } },
    server: { config: { PUBLIC_READ: false } },
  } as unknown as Parameters<typeof observationCaller>[0]
  return observationCaller(request)
}

/** A SQL literal for COPY, which takes no parameters. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return literal(`{${value.join(',')}}`)
  return `'${String(value).replaceAll("'", "''")}'`
}
const inlineParams = (q: Pick<Query, 'text' | 'params'>) =>
  q.text.replace(/\$(\d+)\b/g, (_, n: string) => literal(q.params[Number(n) - 1]))

/** Tile x/y (XYZ, y from the top) of a WGS 84 point at zoom z. */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z
  const x = Math.floor(((lon + 180) / 360) * n)
  const r = (lat * Math.PI) / 180
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)
  return [x, y]
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short=10', 'HEAD'], { cwd: rootDir, encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

/** A query string of the observation filters (repeatable ones repeated). */
function queryString(filters: Record<string, unknown>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v))
  }
  return search.toString()
}

interface Row {
  label: string
  detail: string
  http: Stats
  sql: Stats
  /** The operation and client count without the caller, to pair the precise and blurred rows. */
  key: string
  caller: 'precise' | 'blurred'
}

async function main() {
  const loadAtStart = os.loadavg().map((l) => l.toFixed(1))
  const startedAt = new Date()
  const prepared = await prepareBenchDatabase(serverUrl, OBSERVATIONS, {
    explicit: values.db,
    fresh: values.fresh,
    log,
  })
  log('Migrating (untimed) …')
  const migrated = await migrateBenchDatabase(prepared.url, log)
  if (values['prepare-only']) return
  const database = createDatabase(prepared.url, POOL)
  const pool = database.pool
  let server: BenchServer | undefined
  const out: string[] = []
  const notes: string[] = []
  try {
    // Sensitive rows (issue 11): bench rules on the most frequent taxa, rows recomputed by the trigger.
    const { rows: taxonCounts } = await pool.query<{ cd_nom: number; n: number }>(
      'SELECT cd_nom, count(*)::int AS n FROM gn_synthese.synthese GROUP BY cd_nom',
    )
    const plan = await planBenchSensitivity(pool, new Map(taxonCounts.map((r) => [r.cd_nom, r.n])), SENSITIVE)
    const installed = await installBenchSensitivity(pool, plan, log)
    const census = await sensitivityCensus(pool)
    const sensitivityLine = describeSensitivity(plan, census, installed)
    log(sensitivityLine)
    await ensureBenchReader(pool)

    const info = (
      await pool.query<{ v: string; rows: string; size: string; links: string; taxa: string }>(
        `SELECT current_setting('server_version') AS v, (SELECT count(*) FROM gn_synthese.synthese)::text AS rows,
                pg_size_pretty(pg_database_size(current_database())) AS size,
                (SELECT count(*) FROM gn_synthese.cor_area_synthese)::text AS links,
                (SELECT count(DISTINCT cd_nom) FROM gn_synthese.synthese)::text AS taxa`,
      )
    ).rows[0]!
    log(`${prepared.name}: ${info.rows} observations, ${info.size}`)
    /** The TABLESAMPLE percentage that gives about `n` rows. */
    const samplePercent = (n: number) => Math.min(100, (100 * n) / Math.max(1, Number(info.rows))).toFixed(4)
    const admin = await observationCallerOf(pool, 'admin')
    const agent = await observationCallerOf(pool, 'agent')
    const reader = await observationCallerOf(pool, BENCH_READER)
    if (admin.preciseScope !== 3) throw new Error(`admin is not precise (preciseScope ${admin.preciseScope})`)
    if (reader.preciseScope !== 0 || reader.scope !== 3)
      throw new Error(`${BENCH_READER}: scope ${reader.scope}, preciseScope ${reader.preciseScope}`)
    const kind = (c: ObservationCaller) => (c.preciseScope >= c.scope ? 'precise' : 'blurred')
    log(
      `Callers: admin scope ${admin.scope} precise ${admin.preciseScope}; agent scope ${agent.scope} precise ` +
        `${agent.preciseScope}; ${BENCH_READER} scope ${reader.scope} precise ${reader.preciseScope}`,
    )

    server = await startServer(rootDir, prepared.url, CLIENTS, log)
    const s = server
    const login = async (name: string, password: string) => {
      const r = await s.request('POST', '/api/auth/login', {
        body: JSON.stringify({ login: name, password }),
      })
      if (r.status !== 200 || !r.cookie) throw new Error(`login ${name}: ${r.status} ${r.body}`)
      return r.cookie
    }
    const demoPassword = process.env.DEMO_PASSWORD ?? 'demo'
    const cookies = new Map([
      [admin, await login('admin', demoPassword)],
      [agent, await login('agent', demoPassword)],
      [reader, await login(BENCH_READER, BENCH_READER_PASSWORD)],
    ])
    const get = async (caller: ObservationCaller, path: string, expect: number[] = [200]) => {
      const r = await s.request('GET', path, { cookie: cookies.get(caller) })
      if (!expect.includes(r.status)) throw new Error(`GET ${path}: ${r.status} ${r.body.slice(0, 300)}`)
      return r
    }
    await get(admin, '/api/synthese/observations?limit=1')
    await get(reader, '/api/synthese/observations?limit=1')
    const idle = processMemory(s.pid)!
    log(`Server RSS at idle (after login and one query): ${f(idle.rss)} MiB`)

    // The fixed cost of any request: no session (`/api/health`, one SELECT 1) and a logged-in one (`/api/auth/me`).
    const floor: [string, Stats][] = []
    for (const [label, path] of [
      ['`GET /api/health` (no session)', '/api/health'],
      ['`GET /api/auth/me` (session + grants)', '/api/auth/me'],
    ] as const) {
      for (let i = 0; i < 20; i++) await get(admin, path)
      floor.push([label, await measure(1, REQUESTS, BUDGET_MS, () => get(admin, path))])
    }
    log(`HTTP floor: ${floor.map(([l, st]) => `${l} p50 ${f(st.p50)} p95 ${f(st.p95)} ms`).join('; ')}`)

    /** HTTP and SQL of one operation for one caller at 1 client then at CLIENTS clients. */
    const rows: Row[] = []
    const compare = async (
      label: string,
      caller: ObservationCaller,
      detail: string,
      viaHttp: (i: number) => Promise<unknown>,
      viaSql: (i: number) => Promise<unknown>,
    ) => {
      for (let i = 0; i < 10; i++) {
        await viaHttp(i)
        await viaSql(i)
      }
      for (const [clients, perClient] of [
        [1, REQUESTS],
        [CLIENTS, PER_CLIENT],
      ] as const) {
        const http = await measure(clients, perClient, BUDGET_MS, viaHttp)
        const sql = await measure(clients, perClient, BUDGET_MS, viaSql)
        const suffix = `${clients} client${clients > 1 ? 's' : ''}`
        log(
          `  ${label}, ${suffix}: HTTP p50 ${f(http.p50)} p95 ${f(http.p95)} ms (${http.n}); ` +
            `SQL p50 ${f(sql.p50)} p95 ${f(sql.p95)} ms (${sql.n})`,
        )
        rows.push({
          label: `${label}, ${suffix}`,
          detail,
          http,
          sql,
          key: `${label.replace(/ · (precise|blurred)$/, '')}, ${suffix}`,
          caller: kind(caller),
        })
      }
    }
    /** Both callers of an operation, precise then blurred, one after the other (same load). */
    const bothCallers = [
      [admin, 'precise'],
      [reader, 'blurred'],
    ] as const

    // ---------------------------------------------------------------------------------------------- search
    const searchRows: Row[] = []
    if (!SKIP.has('search')) {
      log('Choosing the filters …')
      const year = new Date().getFullYear()
      const { rows: topTaxa } = await pool.query<{ cd_nom: number; n: number }>(
        `SELECT cd_nom, count(*)::int AS n FROM gn_synthese.synthese GROUP BY cd_nom ORDER BY n DESC LIMIT 20`,
      )
      const taxon = topTaxa[topTaxa.length - 1]!
      const taxonLevel = plan.rules.find((r) => r.cdNom === taxon.cd_nom)?.level
      // The class (else the highest rank below the kingdom) of the most observed taxon.
      const { rows: ancestors } = await pool.query<{ cd_nom: number; lb_nom: string; rang: string }>(
        `WITH RECURSIVE up AS (
           SELECT cd_nom, cd_taxsup, lb_nom, rang, 0 AS depth FROM taxonomie.taxref WHERE cd_nom = $1
           UNION ALL
           SELECT t.cd_nom, t.cd_taxsup, t.lb_nom, t.rang, up.depth + 1
             FROM taxonomie.taxref t JOIN up ON t.cd_nom = up.cd_taxsup WHERE up.depth < 20)
         SELECT cd_nom, lb_nom, rang FROM up ORDER BY depth`,
        [topTaxa[0]!.cd_nom],
      )
      const high =
        ancestors.find((a) => a.rang === 'CL') ??
        ancestors.filter((a) => a.rang !== 'KD').at(-1) ??
        ancestors[0]!
      const { rows: areas } = await pool.query<{ id: number; name: string; type: string; n: number }>(
        `SELECT a.id, a.area_name AS name, at.code AS type, x.n
           FROM (SELECT id_area, count(*)::int AS n FROM gn_synthese.cor_area_synthese GROUP BY id_area) x
           JOIN ref_geo.areas a ON a.id = x.id_area JOIN ref_geo.area_types at ON at.id = a.type_id
          ORDER BY count(*) OVER (PARTITION BY at.id) DESC, x.n DESC`,
      )
      // The median area (by observations) of the finest type linked, i.e. the type with the most linked areas (as
      // a user picks a commune or a grid cell).
      const finest = areas.filter((a) => a.type === areas[0]!.type)
      const area = finest[Math.floor(finest.length / 2)]!
      const { rows: centre } = await pool.query<{ x: number; y: number }>(
        `SELECT ST_X(the_geom_point) AS x, ST_Y(the_geom_point) AS y FROM gn_synthese.synthese
          WHERE id = (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY id) FROM gn_synthese.synthese)`,
      )
      const c = centre[0]!
      const bbox = [c.x - 0.06, c.y - 0.045, c.x + 0.06, c.y + 0.045].map((v) => v.toFixed(4)).join(',')
      const filterMixes: { label: string; filters: ObservationSearch }[] = [
        { label: 'no filter', filters: {} },
        {
          label: `taxon (20th most observed, ${taxon.n} obs${taxonLevel ? `, sensitive level ${taxonLevel}` : ''})`,
          filters: { taxon: [taxon.cd_nom] },
        },
        {
          label: `taxonTree ${high.rang} ${high.lb_nom} + dates ${year - 5}–${year - 1}`,
          filters: { taxonTree: high.cd_nom, dateMin: `${year - 5}-01-01`, dateMax: `${year - 1}-12-31` },
        },
        { label: `area (${area.type} ${area.name}, ${area.n} obs)`, filters: { area: [area.id] } },
        { label: 'bbox ~10×10 km + status 1', filters: { bbox, status: '1' } },
      ]
      const mixes: { label: string; caller: ObservationCaller; filters: ObservationSearch }[] = [
        ...filterMixes.flatMap((m) =>
          bothCallers.map(([caller, name]) => ({
            label: `${m.label} · ${name}`,
            caller,
            filters: m.filters,
          })),
        ),
        { label: `no filter, scope 2 (agent) · ${kind(agent)}`, caller: agent, filters: {} },
      ]
      log('Search, first page …')
      for (const mix of mixes) {
        const captured = await captureQueries(pool, (p) =>
          listObservations(p, mix.caller, { ...mix.filters, limit: PAGE }),
        )
        const q = captured.at(-1)!
        const { from, where, params } = await observationWhere(pool, mix.caller, mix.filters)
        const matched = (
          await pool.query<{ n: string }>(
            `SELECT count(*)::text AS n, count(*) FILTER (WHERE s.blurred)::text AS blurred
               FROM ${from} s WHERE ${where.join(' AND ')}`,
            params,
          )
        ).rows[0] as unknown as { n: string; blurred: string }
        const path = `/api/synthese/observations?${queryString({ ...mix.filters, limit: PAGE })}`
        const first = JSON.parse((await get(mix.caller, path)).body) as { items: { id: number }[] }
        const sqlPage = (await pool.query<{ id: number }>(q.text, q.params)).rows.slice(0, PAGE)
        const httpIds = first.items.map((it) => Number(it.id)).join(',')
        const sqlIds = sqlPage.map((r) => Number(r.id)).join(',')
        if (httpIds !== sqlIds)
          throw new Error(
            `${mix.label}: HTTP page ${httpIds.slice(0, 200)} ≠ SQL page ${sqlIds.slice(0, 200)}`,
          )
        const before = rows.length
        await compare(
          mix.label,
          mix.caller,
          `${matched.n} matching${Number(matched.blurred) ? ` (${matched.blurred} blurred)` : ''}, page of ${first.items.length}`,
          () => get(mix.caller, path),
          () => replay(pool, captured),
        )
        searchRows.push(...rows.splice(before))
      }
    }

    // ---------------------------------------------------------------------------------------------- sheet
    const sheetRows: Row[] = []
    if (!SKIP.has('sheet')) {
      log('Sheet …')
      const { rows: sample } = await pool.query<{ id: string }>(
        `SELECT id::text FROM gn_synthese.synthese TABLESAMPLE BERNOULLI (${samplePercent(5000)}) REPEATABLE (11) LIMIT 5000`,
      )
      // Sensitive rows only (levels 1–3: shown blurred to the reader; level 4 is a 404 for it), when there are.
      const { rows: sensitiveSample } = await pool.query<{ id: string }>(
        `SELECT id::text FROM gn_synthese.synthese WHERE sensitivity_level BETWEEN 1 AND 3
          ORDER BY hashint8(id) LIMIT 2000`,
      )
      const samples: [string, number[]][] = [['sheet (random ids)', sample.map((r) => Number(r.id))]]
      if (sensitiveSample.length)
        samples.push(['sheet (sensitive ids, levels 1–3)', sensitiveSample.map((r) => Number(r.id))])
      for (const [sampleLabel, ids] of samples) {
        const idOf = (i: number) => ids[(i * 7919) % ids.length]!
        for (const [caller, name] of bothCallers) {
          const captured = await captureQueries(pool, (p) =>
            getObservation(p, caller, ids[0]!).catch(() => null),
          )
          const q = captured.at(-1)!
          // The id is the statement's last parameter.
          const sheetQuery = (i: number): Query[] => [{ ...q, params: [...q.params.slice(0, -1), idOf(i)] }]
          let hidden = 0
          for (const id of ids.slice(0, 200))
            if ((await pool.query(q.text, [...q.params.slice(0, -1), id])).rows.length === 0) hidden++
          await compare(
            `${sampleLabel} · ${name}`,
            caller,
            `${ids.length} ids sampled${hidden ? `, ${hidden} of the first 200 not shown (level 4: 404)` : ''}`,
            (i) => get(caller, `/api/synthese/observations/${idOf(i)}`, [200, 404]),
            (i) => replay(pool, sheetQuery(i)),
          )
          sheetRows.push(...rows.splice(0))
        }
      }
    }

    // ---------------------------------------------------------------------------------------------- tiles
    const tileRows: Row[] = []
    if (!SKIP.has('tiles')) {
      const probe = await get(admin, '/api/synthese/tiles/6/33/23.pbf', [200, 204, 404])
      const tileFunction = probe.status === 404 ? null : await findTileFunction()
      if (probe.status === 404) {
        notes.push(
          'Tiles not measured: `GET /api/synthese/tiles/:z/:x/:y.pbf` does not exist at this commit.',
        )
      } else if (!tileFunction) {
        notes.push(
          'Tiles not measured: synthese-tiles.ts exports no `syntheseTile` function to take the SQL from.',
        )
      } else {
        log('Tiles …')
        const { rows: points } = await pool.query<{ x: number; y: number }>(
          `SELECT ST_X(the_geom_point) AS x, ST_Y(the_geom_point) AS y
             FROM gn_synthese.synthese TABLESAMPLE BERNOULLI (${samplePercent(2000)}) REPEATABLE (5) LIMIT 2000`,
        )
        for (const z of [6, 10, 14]) {
          // Tiles holding data, in the order sampled points fall in them (denser tiles come first).
          const tiles: [number, number][] = []
          for (const point of points) {
            const t = tileOf(point.x, point.y, z)
            if (!tiles.some(([x, y]) => x === t[0] && y === t[1])) tiles.push(t)
            if (tiles.length === 8) break
          }
          for (const [caller, name] of bothCallers) {
            const queries: Query[][] = []
            for (const [x, y] of tiles)
              queries.push(await captureQueries(pool, (p) => tileFunction(p, caller, {}, { z, x, y })))
            const sizes: number[] = []
            for (const [x, y] of tiles)
              sizes.push((await get(caller, `/api/synthese/tiles/${z}/${x}/${y}.pbf`, [200, 204])).bytes)
            const before = rows.length
            await compare(
              `tiles z${z} · ${name}`,
              caller,
              `${tiles.length} tiles (${tiles.map(([x, y]) => `${x}/${y}`).join(', ')}), ` +
                `${f(sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024)} KiB average, ` +
                `${queries[0]!.length} quer${queries[0]!.length > 1 ? 'ies' : 'y'} per tile`,
              (i) => {
                const [x, y] = tiles[i % tiles.length]!
                return get(caller, `/api/synthese/tiles/${z}/${x}/${y}.pbf`, [200, 204])
              },
              (i) => replay(pool, queries[i % tiles.length]!),
            )
            tileRows.push(...rows.splice(before))
          }
        }
      }
    }
    // ---------------------------------------------------------------------------------------------- export
    const exportLines: string[] = []
    let exportPeak = Number.NaN
    const exportRatios: number[] = []
    if (!SKIP.has('export')) {
      const { to: copyTo } = createRequire(join(rootDir, 'packages/core/package.json'))(
        'pg-copy-streams',
      ) as {
        to: (sql: string) => unknown
      }
      for (const format of (['csv', 'geojson'] as const).filter((x) => !SKIP.has(x))) {
        log(`Export ${format} over HTTP …`)
        const hwmBefore = processMemory(s.pid)!.hwm
        const sampler = sampleRss(s.pid)
        const t0 = performance.now()
        const r = await s.request('GET', `/api/synthese/export?format=${format}`, {
          cookie: cookies.get(admin),
          keepBody: false,
        })
        const httpMs = performance.now() - t0
        const peak = sampler.stop()
        const hwmAfter = processMemory(s.pid)!.hwm
        if (r.status !== 200) throw new Error(`export ${format}: ${r.status}`)
        exportPeak = Number.isNaN(exportPeak) ? peak : Math.max(exportPeak, peak)
        log(
          `  ${f(httpMs / 1000)} s, ${f(r.bytes / 2 ** 20)} MiB, ${r.newlines} lines, peak RSS ${f(peak)} MiB`,
        )

        log(`Export ${format}: COPY (the same SELECT) TO STDOUT …`)
        const q = await exportQuery(pool, admin, {}, format)
        const copySql =
          format === 'csv'
            ? `COPY (${inlineParams(q)}) TO STDOUT WITH (FORMAT csv, HEADER true, DELIMITER ';')`
            : `COPY (${inlineParams(q)}) TO STDOUT`
        const client = await pool.connect()
        let copyMs: number
        let copyBytes = 0
        let copyLines = 0
        try {
          const t1 = performance.now()
          // pg-copy-streams is untyped here: its stream is a pg Submittable and a Readable.
          const stream = client.query(copyTo(copySql) as never) as unknown as AsyncIterable<Buffer>
          for await (const chunk of stream) {
            copyBytes += chunk.length
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) copyLines++
          }
          copyMs = performance.now() - t1
        } finally {
          client.release()
        }
        log(`  ${f(copyMs / 1000)} s, ${f(copyBytes / 2 ** 20)} MiB, ${copyLines} lines`)
        exportRatios.push(httpMs / copyMs)
        exportLines.push(
          `| ${format === 'csv' ? 'CSV' : 'GeoJSON'} | ${f(httpMs / 1000)} | ${f(r.firstByteMs / 1000, 2)} | ` +
            `${f(r.bytes / 2 ** 20)} | ${f(copyMs / 1000)} | ${f(copyBytes / 2 ** 20)} | ${f(httpMs / copyMs, 2)}× | ` +
            `${f(peak)} | ${f(hwmAfter)}${hwmAfter > hwmBefore ? '' : ' (not raised)'} |`,
        )
      }
    }

    // ---------------------------------------------------------------------------------------------- report
    const load = os.loadavg().map((l) => l.toFixed(1))
    const cpus = os.cpus()
    out.push(
      `### Synthese: ${Number(info.rows).toLocaleString('en')} observations (${startedAt.toISOString().slice(0, 16)}Z)`,
    )
    out.push('')
    out.push(
      `Command: \`pnpm bench:synthese --observations ${OBSERVATIONS} --sensitive ${SENSITIVE}` +
        `${values.db ? ` --db ${values.db}` : ''}${SKIP.size ? ` --skip ${[...SKIP].join(',')}` : ''}\` ` +
        `(requests: ${REQUESTS} at 1 client, ${CLIENTS}×${PER_CLIENT} at ${CLIENTS}, each measure capped at ` +
        `${values.budget} s). Database ${prepared.name}: ${info.rows} observations of ${info.taxa} taxa, ` +
        `${info.links} area links, ${info.size}` +
        `${prepared.generatedSeconds ? `, generated in this run in ${f(prepared.generatedSeconds, 0)} s` : ', reused'}. ` +
        `PostgreSQL ${info.v}, Node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ` +
        `${Math.round(os.totalmem() / 2 ** 30)} GiB; commit ${gitCommit()}; load average ${loadAtStart.join(' ')} ` +
        `at start, ${load.join(' ')} at end. Server: child process, NODE_ENV=production, pool ${POOL}; ` +
        `SQL side: pg pool of ${POOL}.` +
        (migrated.length
          ? ` Migrations applied to the reused database first (untimed): ${migrated.join(', ')}.`
          : '') +
        ` Server RSS at idle (data loaded, logged in): ${f(idle.rss)} MiB. HTTP floor at 1 client: ` +
        `${floor.map(([l, st]) => `${l} p50 ${f(st.p50)} ms, p95 ${f(st.p95)} ms`).join('; ')}.`,
    )
    out.push('')
    out.push(
      `${sensitivityLine} Callers: **precise** = the demo \`admin\` (ADMIN grant: preciseScope ${admin.preciseScope}), ` +
        `**blurred** = \`${BENCH_READER}\` (SYNTHESE R/E scope ${reader.scope}, no \`sensitive_precise\`: ` +
        `preciseScope ${reader.preciseScope}); \`agent\`: scope ${agent.scope}, preciseScope ${agent.preciseScope}. ` +
        'SQL side: every query the endpoint function runs for that caller (`listObservations`, `getObservation`, ' +
        '`syntheseTile` called with its ObservationCaller and a recording pool), replayed in the same order ' +
        '(queries run concurrently by the function, e.g. the points and blurred-areas layers of a z ≥ 11 tile, ' +
        'replayed concurrently).',
    )
    out.push('')
    const table = (title: string, list: Row[]) => {
      if (!list.length) return
      out.push(
        `| ${title} | HTTP p50 | HTTP p95 | SQL p50 | SQL p95 | ratio p50 | ratio p95 | HTTP req/s | n (HTTP/SQL) |`,
      )
      out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
      for (const r of list)
        out.push(
          `| ${r.label} | ${f(r.http.p50)} | ${f(r.http.p95)} | ${f(r.sql.p50)} | ${f(r.sql.p95)} | ` +
            `${f(r.http.p50 / r.sql.p50, 2)}× | ${f(r.http.p95 / r.sql.p95, 2)}× | ${f(r.http.perSecond, 0)} | ` +
            `${r.http.n}/${r.sql.n} |`,
        )
      out.push('')
    }
    table(`search, first page of ${PAGE} (ms)`, searchRows)
    const details = searchRows
      .filter((_, i) => i % 2 === 0)
      .map((r) => `${r.label.replace(/, 1 client$/, '')}: ${r.detail}`)
    if (details.length) out.push(`Filters: ${details.join('; ')}.`, '')
    table('sheet (ms)', sheetRows)
    table('tiles (ms)', tileRows)
    const tileDetails = tileRows
      .filter((_, i) => i % 2 === 0)
      .map((r) => `${r.label.replace(/, 1 client$/, '')}: ${r.detail}`)
    if (tileDetails.length) out.push(`Tiles: ${tileDetails.join('; ')}.`, '')
    // The cost of blurring: the blurred caller's figures over the precise caller's, same operation and clients.
    const pairs = [...searchRows, ...sheetRows, ...tileRows]
      .filter((r) => r.caller === 'precise')
      .map(
        (precise) =>
          [
            precise,
            [...searchRows, ...sheetRows, ...tileRows].find(
              (r) => r.caller === 'blurred' && r.key === precise.key,
            ),
          ] as const,
      )
      .filter((pair): pair is readonly [Row, Row] => !!pair[1])
    if (pairs.length) {
      out.push('| blurred ÷ precise | HTTP p50 | HTTP p95 | SQL p50 | SQL p95 |')
      out.push('|---|---:|---:|---:|---:|')
      for (const [p, b] of pairs)
        out.push(
          `| ${p.key} | ${f(b.http.p50 / p.http.p50, 2)}× | ${f(b.http.p95 / p.http.p95, 2)}× | ` +
            `${f(b.sql.p50 / p.sql.p50, 2)}× | ${f(b.sql.p95 / p.sql.p95, 2)}× |`,
        )
      out.push('')
    }
    if (exportLines.length) {
      out.push(
        '| export, all rows | HTTP s | first byte s | HTTP MiB | COPY s | COPY MiB | ratio | server peak RSS MiB (sampled) | server VmHWM MiB |',
      )
      out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
      out.push(...exportLines, '')
    }
    const goal = (ok: boolean) => (ok ? 'met' : '**not met**')
    const all = [...searchRows, ...sheetRows, ...tileRows]
    if (all.length) {
      const worst = all.reduce((a, b) => (b.http.p95 / b.sql.p95 > a.http.p95 / a.sql.p95 ? b : a))
      out.push(
        `- endpoint ≤ 1.3× its SQL: ${goal(all.every((r) => r.http.p50 / r.sql.p50 <= 1.3 && r.http.p95 / r.sql.p95 <= 1.3))} ` +
          `(worst p95 ratio ${f(worst.http.p95 / worst.sql.p95, 2)}×, ${worst.label}).`,
      )
    }
    if (searchRows.length) {
      const worst = searchRows.reduce((a, b) => (b.http.p95 > a.http.p95 ? b : a))
      out.push(
        `- search p95 ≤ 100 ms: ${goal(worst.http.p95 <= 100)} (worst ${f(worst.http.p95)} ms, ${worst.label}).`,
      )
    }
    if (tileRows.length) {
      const worst = tileRows.reduce((a, b) => (b.http.p95 > a.http.p95 ? b : a))
      out.push(
        `- tiles p95 ≤ 50 ms: ${goal(worst.http.p95 <= 50)} (worst ${f(worst.http.p95)} ms, ${worst.label}).`,
      )
    }
    if (exportRatios.length)
      out.push(
        `- export ≤ 1.5× COPY: ${goal(exportRatios.every((r) => r <= 1.5))} (${exportRatios.map((r) => `${f(r, 2)}×`).join(', ')} for CSV, GeoJSON).`,
      )
    if (exportLines.length)
      out.push(
        `- export RSS < 300 MB at ${OBSERVATIONS}: ${goal(exportPeak * 1.048576 < 300)} (peak ${f(exportPeak)} MiB).`,
      )
    out.push(...notes.map((n) => `- ${n}`))
    process.stdout.write(`${out.join('\n')}\n`)
  } finally {
    await server?.stop()
    await database.close()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`)
    process.exit(1)
  },
)
