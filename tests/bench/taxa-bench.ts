// Taxonomy benchmark: TAXREF import throughput and autocomplete latency on a synthetic TAXREF.
//
//   pnpm bench:taxa [--names 600000] [--queries 1000] [--keep] [--regenerate]
//
// Creates (drops first) the database biodiv_bench_taxa on the server of BENCH_DATABASE_URL, else DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres; migrates it with the core's runner (through preparePlatform);
// generates the synthetic file (.data/bench/, reused when present); imports it with the taxref:import code; copies
// the same file with a plain COPY into a bare table; then runs the autocomplete queries through the real HTTP
// endpoint (app listening on 127.0.0.1, keep-alive client, logged-in user) and the same SQL directly with pg.
// Progress goes to stderr; the markdown report goes to stdout.
import { existsSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { hashPassword } from '../../packages/core/src/auth/passwords.ts'
import { loadConfig, rootDir } from '../../packages/core/src/config.ts'
import { createServer } from '../../packages/core/src/create-server.ts'
import { createDatabase } from '../../packages/core/src/db/database.ts'
import { preparePlatform } from '../../packages/core/src/platform.ts'
import { generateSyntheticTaxref } from '../../packages/core/src/taxonomy/generate-synthetic-taxref.ts'
import { taxonSearchQuery } from '../../packages/core/src/taxonomy/taxon-search.ts'
import { copyTaxrefFileRaw, importTaxrefFile } from '../../packages/core/src/taxonomy/taxref-import.ts'

const { values } = parseArgs({
  options: {
    names: { type: 'string', default: '600000' },
    queries: { type: 'string', default: '1000' },
    keep: { type: 'boolean', default: false },
    regenerate: { type: 'boolean', default: false },
  },
})
const NAMES = Number(values.names)
const QUERIES = Number(values.queries)
const DATABASE = 'biodiv_bench_taxa'
const log = (message: string) => process.stderr.write(`${message}\n`)

const serverUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const withDatabase = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function admin(sql: string) {
  const db = createDatabase(withDatabase(serverUrl, 'postgres'), 1)
  try {
    await db.pool.query(sql)
  } finally {
    await db.close()
  }
}

/** A deterministic PRNG (mulberry32) so every run asks the same queries. */
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const unaccent = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'Oe')

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b)
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: ms.reduce((a, b) => a + b, 0) / ms.length,
    max: sorted.at(-1)!,
  }
}
const f = (n: number, digits = 2) => n.toFixed(digits)

async function main() {
  const file = join(rootDir, `.data/bench/taxref-synthetic-${NAMES}.txt`)
  let generateSeconds: number | null = null
  if (values.regenerate || !existsSync(file)) {
    log(`Generating ${NAMES} synthetic names into ${file} …`)
    const t0 = performance.now()
    await generateSyntheticTaxref(file, NAMES)
    generateSeconds = (performance.now() - t0) / 1000
  }

  log(`Creating database ${DATABASE} on ${new URL(serverUrl).host} …`)
  await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`)
  await admin(`CREATE DATABASE ${DATABASE}`)
  const url = withDatabase(serverUrl, DATABASE)
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    LOGIN_RATE_LIMIT: '1000',
  })
  const platform = await preparePlatform(config, { info: () => undefined, warn: log })
  const app = await createServer(platform)
  const pool = platform.database.pool
  try {
    await app.ready()
    const { rows: version } = await pool.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)

    log('Importing with taxref:import …')
    const report = await importTaxrefFile(pool, file)
    log(`  ${report.rows} rows in ${f(report.seconds, 1)} s: ${JSON.stringify(report.stages)}`)
    log('Plain COPY of the same file into a bare table …')
    const copyClient = await pool.connect()
    let copySeconds: number
    let copyRows: number
    try {
      const t0 = performance.now()
      copyRows = await copyTaxrefFileRaw(copyClient, file, 'public.bench_plain_copy')
      copySeconds = (performance.now() - t0) / 1000
      await copyClient.query('DROP TABLE public.bench_plain_copy')
    } finally {
      copyClient.release()
    }
    const sizes = await pool.query<{ taxref: string; search: string; terms: string }>(
      `SELECT pg_size_pretty(pg_total_relation_size('taxonomie.taxref')) AS taxref,
              pg_size_pretty(pg_total_relation_size('taxonomie.taxref_search')) AS search,
              (SELECT count(*) FROM taxonomie.taxref_search)::text AS terms`,
    )

    // The queries: drawn from the imported names, deterministic.
    const random = prng(7)
    const { rows: sample } = await pool.query<{ lb_nom: string; nom_vern: string | null }>(
      `SELECT lb_nom, nom_vern FROM taxonomie.taxref TABLESAMPLE SYSTEM (2) REPEATABLE (7) LIMIT 20000`,
    )
    const vernacular = sample.flatMap((r) => (r.nom_vern ? r.nom_vern.split(/,\s*/) : []))
    const accented = vernacular.filter((v) => unaccent(v) !== v)
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!
    const prefix = (s: string, min: number, max: number) =>
      s.slice(0, min + Math.floor(random() * (max - min + 1)))
    const queries: { kind: string; q: string }[] = []
    for (let i = 0; queries.length < QUERIES; i++) {
      switch (i % 5) {
        case 0:
          queries.push({ kind: 'scientific prefix', q: prefix(pick(sample).lb_nom, 2, 12).toLowerCase() })
          break
        case 1: {
          const [genus, species] = pick(sample).lb_nom.split(' ')
          queries.push({
            kind: '"gen sp"',
            q: `${prefix(genus!, 3, 5)} ${prefix(species ?? 'a', 1, 4)}`.toLowerCase(),
          })
          break
        }
        case 2: {
          const words = pick(accented).split(' ')
          const start = Math.floor(random() * words.length)
          queries.push({ kind: 'vernacular, accents', q: prefix(words.slice(start).join(' '), 3, 14) })
          break
        }
        case 3:
          queries.push({
            kind: 'vernacular, no accents',
            q: unaccent(prefix(pick(accented), 3, 16)).toLowerCase(),
          })
          break
        default:
          queries.push({ kind: 'short (1–2 letters)', q: prefix(pick(sample).lb_nom, 1, 2) })
      }
    }

    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const request = (method: string, path: string, body?: string, cookie?: string) =>
      new Promise<{ status: number; body: string; cookie?: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            agent,
            headers: {
              ...(body ? { 'content-type': 'application/json' } : {}),
              ...(cookie ? { cookie } : {}),
            },
          },
          (res) => {
            let data = ''
            res.setEncoding('utf8')
            res.on('data', (d) => {
              data += d
            })
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: data,
                cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
              }),
            )
          },
        )
        req.on('error', reject)
        req.end(body)
      })
    await pool.query(
      `INSERT INTO core.users (login, password_hash) VALUES ('bench', $1) ON CONFLICT (login) DO NOTHING`,
      [await hashPassword('bench-password')],
    )
    const login = await request(
      'POST',
      '/api/auth/login',
      JSON.stringify({ login: 'bench', password: 'bench-password' }),
    )
    if (login.status !== 200 || !login.cookie) throw new Error(`login failed: ${login.status} ${login.body}`)

    const viaHttp = async (q: string) => {
      const response = await request(
        'GET',
        `/api/taxonomy/taxa?limit=20&q=${encodeURIComponent(q)}`,
        undefined,
        login.cookie,
      )
      if (response.status !== 200) throw new Error(`${q}: ${response.status} ${response.body}`)
      return (JSON.parse(response.body) as unknown[]).length
    }
    const viaSql = async (q: string) => (await pool.query(taxonSearchQuery({ q, limit: 20 }))).rows.length

    log('Warming up …')
    for (const { q } of queries.slice(0, 100)) {
      await viaHttp(q)
      await viaSql(q)
    }
    const measure = async (run: (q: string) => Promise<number>) => {
      const times: number[] = []
      const byKind = new Map<string, number[]>()
      const slowest: { q: string; ms: number }[] = []
      let empty = 0
      for (const { kind, q } of queries) {
        const t0 = performance.now()
        const n = await run(q)
        const ms = performance.now() - t0
        times.push(ms)
        slowest.push({ q, ms })
        byKind.set(kind, [...(byKind.get(kind) ?? []), ms])
        if (n === 0) empty++
      }
      slowest.sort((a, b) => b.ms - a.ms)
      return { all: stats(times), byKind, empty, slowest: slowest.slice(0, 8) }
    }
    log(`Autocomplete: ${queries.length} queries over HTTP …`)
    const httpRun = await measure(viaHttp)
    log(`Autocomplete: ${queries.length} queries with pg …`)
    const sqlRun = await measure(viaSql)
    agent.destroy()

    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')
    const out: string[] = []
    out.push(
      `### Taxonomy: ${NAMES.toLocaleString('en')} synthetic TAXREF names (${new Date().toISOString().slice(0, 16)}Z)`,
    )
    out.push('')
    out.push(
      `PostgreSQL ${version[0]!.v}, Node ${process.version}, ${os.cpus().length} CPU × ${os.cpus()[0]?.model ?? '?'}, ` +
        `load average at the end ${load}. Command: \`pnpm bench:taxa --names ${NAMES} --queries ${QUERIES}\`.` +
        (generateSeconds ? ` File generated in ${f(generateSeconds, 1)} s.` : ''),
    )
    out.push('')
    out.push('| import | rows | seconds | rows/s |')
    out.push('|---|---:|---:|---:|')
    out.push(
      `| \`taxref:import\` (COPY → staging, hierarchy, upsert, search terms, indexes) | ${report.rows} | ${f(report.seconds, 1)} | ${report.rowsPerSecond} |`,
    )
    out.push(
      `| plain \`COPY\` into a bare text table | ${copyRows} | ${f(copySeconds, 1)} | ${Math.round(copyRows / copySeconds)} |`,
    )
    out.push(`| ratio import / plain COPY (time) | | ${f(report.seconds / copySeconds, 1)}× | |`)
    out.push('')
    out.push(
      `Import stages (s): ${Object.entries(report.stages)
        .map(([k, v]) => `${k} ${f(v, 1)}`)
        .join(', ')}. ` +
        `taxref ${sizes.rows[0]!.taxref}, ${sizes.rows[0]!.terms} search terms (${sizes.rows[0]!.search}).`,
    )
    out.push('')
    out.push('| autocomplete, limit 20 | p50 ms | p95 ms | p99 ms | mean ms | max ms | empty results |')
    out.push('|---|---:|---:|---:|---:|---:|---:|')
    const line = (label: string, s: ReturnType<typeof stats>, empty: number | string) =>
      `| ${label} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.p99)} | ${f(s.mean)} | ${f(s.max)} | ${empty} |`
    out.push(line(`HTTP \`GET /api/taxonomy/taxa\` (${queries.length} queries)`, httpRun.all, httpRun.empty))
    out.push(line('same SQL with pg', sqlRun.all, sqlRun.empty))
    for (const [kind, times] of httpRun.byKind)
      out.push(line(`HTTP, ${kind} (${times.length})`, stats(times), ''))
    out.push(
      `| ratio HTTP / SQL | ${f(httpRun.all.p50 / sqlRun.all.p50)}× | ${f(httpRun.all.p95 / sqlRun.all.p95)}× | | | | |`,
    )
    out.push('')
    out.push(`Slowest SQL runs: ${sqlRun.slowest.map((x) => `"${x.q}" ${f(x.ms, 1)} ms`).join(', ')}.`)
    out.push('')
    out.push(
      `Goal p95 ≤ 20 ms: ${httpRun.all.p95 <= 20 ? 'met' : 'NOT met'} (HTTP p95 ${f(httpRun.all.p95)} ms).`,
    )
    process.stdout.write(`${out.join('\n')}\n`)
  } finally {
    await app.close()
    await platform.stopEmbedded()
    if (!values.keep) await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`)
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`)
    process.exit(1)
  },
)
