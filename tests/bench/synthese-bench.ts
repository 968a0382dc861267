// Synthese benchmark (issue 4): search first page, vector tiles, sheet and export on N generated observations, each
// next to the same SQL run directly with pg (the limit), at 1 and 32 concurrent clients, plus the server's memory.
//
//   pnpm bench:synthese [--observations 1000000] [--db NAME] [--fresh] [--requests 200] [--clients 32]
//                       [--per-client 50] [--budget 60] [--skip search,sheet,tiles,export,csv,geojson] [--pool 10]
//                       [--prepare-only]
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
// Progress goes to stderr; the markdown report goes to stdout.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { rootDir } from '../../packages/core/src/config.ts'
import { createDatabase } from '../../packages/core/src/db/database.ts'
import { exportQuery } from '../../packages/core/src/synthese/synthese-export.ts'
import {
  type Caller,
  getObservation,
  listObservations,
  type ObservationSearch,
  observationWhere,
} from '../../packages/core/src/synthese/synthese-queries.ts'
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
  },
})
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
}

/** Calls one of the endpoint's query functions with a pool that records (and runs) its queries. */
async function captureQueries(pool: Pool, call: (recording: Pool) => Promise<unknown>): Promise<Query[]> {
  const queries: Query[] = []
  const recording = {
    query: (text: string, params?: unknown[]) => {
      queries.push({ text, params: params ?? [] })
      return pool.query(text, params)
    },
  } as unknown as Pool
  await call(recording)
  return queries
}

/** A SQL literal for COPY, which takes no parameters. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return literal(`{${value.join(',')}}`)
  return `'${String(value).replaceAll("'", "''")}'`
}
const inlineParams = (q: Query) =>
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
    const info = (
      await pool.query<{ v: string; rows: string; size: string; links: string; taxa: string }>(
        `SELECT current_setting('server_version') AS v, (SELECT count(*) FROM gn_synthese.synthese)::text AS rows,
                pg_size_pretty(pg_database_size(current_database())) AS size,
                (SELECT count(*) FROM gn_synthese.cor_area_synthese)::text AS links,
                (SELECT count(DISTINCT cd_nom) FROM gn_synthese.synthese)::text AS taxa`,
      )
    ).rows[0]!
    log(`${prepared.name}: ${info.rows} observations, ${info.size}`)
    const { rows: users } = await pool.query<{ id: number; login: string; organism_id: number }>(
      `SELECT id, login, organism_id FROM core.users WHERE login IN ('admin', 'agent')`,
    )
    /** The TABLESAMPLE percentage that gives about `n` rows. */
    const samplePercent = (n: number) => Math.min(100, (100 * n) / Math.max(1, Number(info.rows))).toFixed(4)
    const adminUser = users.find((u) => u.login === 'admin')!
    const agentUser = users.find((u) => u.login === 'agent')!
    const admin: Caller = { userId: adminUser.id, organismId: adminUser.organism_id, scope: 3 }
    const agent: Caller = { userId: agentUser.id, organismId: agentUser.organism_id, scope: 2 }

    server = await startServer(rootDir, prepared.url, CLIENTS, log)
    const s = server
    const login = async (name: string) => {
      const r = await s.request('POST', '/api/auth/login', {
        body: JSON.stringify({ login: name, password: process.env.DEMO_PASSWORD ?? 'demo' }),
      })
      if (r.status !== 200 || !r.cookie) throw new Error(`login ${name}: ${r.status} ${r.body}`)
      return r.cookie
    }
    const cookies = new Map([
      [admin, await login('admin')],
      [agent, await login('agent')],
    ])
    const get = async (caller: Caller, path: string, expect: number[] = [200]) => {
      const r = await s.request('GET', path, { cookie: cookies.get(caller) })
      if (!expect.includes(r.status)) throw new Error(`GET ${path}: ${r.status} ${r.body.slice(0, 300)}`)
      return r
    }
    await get(admin, '/api/synthese/observations?limit=1')
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

    /** HTTP and SQL of one operation at 1 client then at CLIENTS clients. */
    const rows: Row[] = []
    const compare = async (
      label: string,
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
        log(
          `  ${label}, ${clients} client(s): HTTP p50 ${f(http.p50)} p95 ${f(http.p95)} ms (${http.n}); ` +
            `SQL p50 ${f(sql.p50)} p95 ${f(sql.p95)} ms (${sql.n})`,
        )
        rows.push({ label: `${label}, ${clients} client${clients > 1 ? 's' : ''}`, detail, http, sql })
      }
    }

    // ---------------------------------------------------------------------------------------------- search
    const searchRows: Row[] = []
    if (!SKIP.has('search')) {
      log('Choosing the filters …')
      const year = new Date().getFullYear()
      const { rows: topTaxa } = await pool.query<{ cd_nom: number; n: number }>(
        `SELECT cd_nom, count(*)::int AS n FROM gn_synthese.synthese GROUP BY cd_nom ORDER BY n DESC LIMIT 20`,
      )
      const taxon = topTaxa[topTaxa.length - 1]!
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
      const mixes: { label: string; caller: Caller; filters: ObservationSearch }[] = [
        { label: 'no filter', caller: admin, filters: {} },
        {
          label: `taxon (20th most observed, ${taxon.n} obs)`,
          caller: admin,
          filters: { taxon: [taxon.cd_nom] },
        },
        {
          label: `taxonTree ${high.rang} ${high.lb_nom} + dates ${year - 5}–${year - 1}`,
          caller: admin,
          filters: { taxonTree: high.cd_nom, dateMin: `${year - 5}-01-01`, dateMax: `${year - 1}-12-31` },
        },
        {
          label: `area (${area.type} ${area.name}, ${area.n} obs)`,
          caller: admin,
          filters: { area: [area.id] },
        },
        { label: 'bbox ~10×10 km + status 1', caller: admin, filters: { bbox, status: '1' } },
        { label: 'no filter, scope 2 (agent)', caller: agent, filters: {} },
      ]
      log('Search, first page …')
      for (const mix of mixes) {
        const captured = await captureQueries(pool, (p) =>
          listObservations(p, mix.caller, { ...mix.filters, limit: PAGE }),
        )
        const q = captured.at(-1)!
        const { where, params } = await observationWhere(pool, mix.caller, mix.filters)
        const matched = (
          await pool.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM gn_synthese.synthese s WHERE ${where.join(' AND ')}`,
            params,
          )
        ).rows[0]!.n
        const path = `/api/synthese/observations?${queryString({ ...mix.filters, limit: PAGE })}`
        const first = JSON.parse((await get(mix.caller, path)).body) as { items: unknown[] }
        const sqlRows = (await pool.query(q.text, q.params)).rows.length
        if (first.items.length !== Math.min(sqlRows, PAGE))
          throw new Error(`${mix.label}: HTTP gave ${first.items.length} items, SQL ${sqlRows} rows`)
        const before = rows.length
        await compare(
          mix.label,
          `${matched} matching, page of ${first.items.length}`,
          () => get(mix.caller, path),
          () => pool.query(q.text, q.params),
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
      const ids = sample.map((r) => Number(r.id))
      const q = (await captureQueries(pool, (p) => getObservation(p, admin, ids[0]!))).at(-1)!
      const idOf = (i: number) => ids[(i * 7919) % ids.length]!
      await compare(
        'sheet (random ids)',
        `${ids.length} ids sampled`,
        (i) => get(admin, `/api/synthese/observations/${idOf(i)}`),
        (i) => pool.query(q.text, [...q.params.slice(0, 3), idOf(i)]),
      )
      sheetRows.push(...rows.splice(0))
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
          const queries: Query[] = []
          for (const [x, y] of tiles)
            queries.push((await captureQueries(pool, (p) => tileFunction(p, admin, {}, { z, x, y }))).at(-1)!)
          const sizes: number[] = []
          for (const [x, y] of tiles)
            sizes.push((await get(admin, `/api/synthese/tiles/${z}/${x}/${y}.pbf`, [200, 204])).bytes)
          const before = rows.length
          await compare(
            `tiles z${z}`,
            `${tiles.length} tiles (${tiles.map(([x, y]) => `${x}/${y}`).join(', ')}), ` +
              `${f(sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024)} KiB average`,
            (i) => {
              const [x, y] = tiles[i % tiles.length]!
              return get(admin, `/api/synthese/tiles/${z}/${x}/${y}.pbf`, [200, 204])
            },
            (i) => {
              const q = queries[i % tiles.length]!
              return pool.query(q.text, q.params)
            },
          )
          tileRows.push(...rows.splice(before))
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
      `Command: \`pnpm bench:synthese --observations ${OBSERVATIONS}\`${values.db ? ` --db ${values.db}` : ''} ` +
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
