#!/usr/bin/env node
// Startup benchmark: time from spawning `node scripts/start.mjs` (what `pnpm start` runs) to the first
// `200 GET /api/health`, plus the peak RSS of the server's process tree up to that moment.
//
//   pnpm bench:startup [--runs N] [--scenarios embedded-cold,embedded-warm,pg-cold,pg-warm]
//                      [--database-url postgres://…] [--timeout-ms 300000] [--verbose]
//
// Scenarios
//   embedded-cold  no DATABASE_URL, fresh DATA_DIR: PGlite initdb + migrations + demo seed
//   embedded-warm  no DATABASE_URL, the same DATA_DIR reopened
//   pg-cold        DATABASE_URL to a freshly (re)created database, SEED_DEMO=1: migrations + seed
//   pg-warm        the same database again (already migrated and seeded)
// The PostgreSQL database comes from --database-url, else BENCH_DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/biodiv_bench. It is dropped and recreated (through the `postgres`
// database of the same server) before every cold run. If that server is unreachable the pg scenarios are skipped.
//
// Progress goes to stderr; the markdown report (paste into BENCHMARKS.md) goes to stdout.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const START_SCRIPT = join(root, 'scripts/start.mjs')
const POLL_MS = 50
const STOP_GRACE_MS = 15_000
const ALL_SCENARIOS = ['embedded-cold', 'embedded-warm', 'pg-cold', 'pg-warm']

// ---------------------------------------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = {
    runs: 5,
    scenarios: ALL_SCENARIOS,
    databaseUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/biodiv_bench',
    timeoutMs: 300_000,
    verbose: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s)
    const value = () => inline ?? argv[++i]
    switch (flag) {
      case '--runs':
        opts.runs = Number(value())
        break
      case '--scenarios':
        opts.scenarios = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        break
      case '--database-url':
        opts.databaseUrl = value()
        break
      case '--timeout-ms':
        opts.timeoutMs = Number(value())
        break
      case '--verbose':
        opts.verbose = true
        break
      case '--help':
      case '-h':
        console.log(
          readFileSync(fileURLToPath(import.meta.url), 'utf8')
            .split('\n')
            .slice(1, 17)
            .join('\n'),
        )
        process.exit(0)
        break
      default:
        throw new Error(`Unknown argument ${argv[i]} (try --help)`)
    }
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs must be a positive integer')
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) throw new Error('--timeout-ms must be > 0')
  const unknown = opts.scenarios.filter((s) => !ALL_SCENARIOS.includes(s))
  if (unknown.length) throw new Error(`Unknown scenario(s) ${unknown.join(', ')}; known: ${ALL_SCENARIOS}`)
  return opts
}

const loadAtStart = os.loadavg()[0].toFixed(2)
const progress = (msg) => process.stderr.write(`[bench] ${msg}\n`)

// ------------------------------------------------------------------------------------ child bookkeeping

/** Children still running: killed on error, Ctrl-C or exit. */
const live = new Set()
/** Temporary data directories: removed at the end, even after Ctrl-C. */
const tmpDirs = []

function killTree(child, signal) {
  try {
    process.kill(-child.pid, signal) // the child leads its own process group (detached)
  } catch {
    try {
      child.kill(signal)
    } catch {
      // already gone
    }
  }
}

process.on('exit', () => {
  for (const child of live) killTree(child, 'SIGKILL')
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true })
})
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    progress(`${signal}: stopping ${live.size} server process(es)`)
    for (const child of live) killTree(child, 'SIGKILL')
    process.exit(130)
  })
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

// ---------------------------------------------------------------------------------------- memory (/proc)

/** pid → children pids, from /proc/<pid>/stat (Linux only; empty elsewhere). */
function descendants(pid) {
  const byParent = new Map()
  let entries = []
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return []
  }
  for (const name of entries) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (!byParent.has(ppid)) byParent.set(ppid, [])
      byParent.get(ppid).push(Number(name))
    } catch {
      // exited meanwhile
    }
  }
  const result = []
  const queue = [pid]
  while (queue.length) {
    const next = queue.shift()
    for (const c of byParent.get(next) ?? []) {
      result.push(c)
      queue.push(c)
    }
  }
  return result
}

function vmHwmKiB(pid) {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m)
    return match ? Number(match[1]) : null
  } catch {
    return null
  }
}

/** Peak RSS per pid of a process tree, sampled: Σ of each process's own peak (an upper bound of the tree's). */
class TreeMemory {
  constructor(pid) {
    this.pid = pid
    this.peaks = new Map()
  }

  sample() {
    for (const pid of [this.pid, ...descendants(this.pid)]) {
      const hwm = vmHwmKiB(pid)
      if (hwm !== null) this.peaks.set(pid, Math.max(hwm, this.peaks.get(pid) ?? 0))
    }
  }

  get totalMiB() {
    if (this.peaks.size === 0) return null
    let sum = 0
    for (const v of this.peaks.values()) sum += v
    return sum / 1024
  }
}

// ------------------------------------------------------------------------------------------------ one run

function getHealth(port) {
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/api/health', agent: false, timeout: 2000 },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode))
        res.on('error', () => resolve(null))
      },
    )
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(null))
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Spawns the start script with `env`, polls /api/health every 50 ms until 200, stops the server with SIGTERM and
 * waits for it to exit. Returns { ms, rssMiB, built, exitCode, stopMs }.
 */
async function timeStartup(env, { timeoutMs, verbose }) {
  const port = await freePort()
  const output = []
  const started = performance.now()
  const child = spawn(process.execPath, [START_SCRIPT], {
    cwd: root,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: the whole tree can be killed, and Ctrl-C reaches only us
  })
  live.add(child)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  let exitInfo = null
  exited.then((info) => {
    exitInfo = info
    live.delete(child)
  })
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk) => {
      if (verbose) process.stderr.write(chunk)
      output.push(...chunk.split('\n').filter(Boolean))
      if (output.length > 200) output.splice(0, output.length - 200)
    })
  }
  const memory = new TreeMemory(child.pid)
  const tail = () => output.slice(-30).join('\n')

  try {
    let ms = null
    while (ms === null) {
      if (exitInfo) {
        throw new Error(`server exited (${exitInfo.signal ?? exitInfo.code}) before answering:\n${tail()}`)
      }
      if (performance.now() - started > timeoutMs) {
        throw new Error(`no 200 from /api/health after ${timeoutMs} ms:\n${tail()}`)
      }
      memory.sample()
      if ((await getHealth(port)) === 200) ms = performance.now() - started
      else await sleep(POLL_MS)
    }
    memory.sample()

    const stopStarted = performance.now()
    child.kill('SIGTERM')
    const stopped = await Promise.race([exited, sleep(STOP_GRACE_MS).then(() => null)])
    if (!stopped) {
      progress(`server did not exit ${STOP_GRACE_MS} ms after SIGTERM: killing it`)
      killTree(child, 'SIGKILL')
      await exited
    }
    killTree(child, 'SIGKILL') // leftovers of the tree, if any
    // Logged by startEmbeddedDatabase (packages/core/src/db/embedded-database.ts): its own share of the startup.
    const dbReady = output
      .map((line) => line.match(/embedded database: ready at \S+ in (\d+) ms/))
      .find(Boolean)
    return {
      ms,
      dbMs: dbReady ? Number(dbReady[1]) : null,
      rssMiB: memory.totalMiB,
      built: output.some((line) => line.startsWith('Building first')),
      exitCode: stopped ? stopped.code : null,
      stopMs: performance.now() - stopStarted,
    }
  } catch (error) {
    killTree(child, 'SIGKILL')
    await exited
    throw error
  }
}

// -------------------------------------------------------------------------------------------- PostgreSQL

function loadPg() {
  // pg is a dependency of @biodiv/core, not of the repository root: resolve it from there.
  return createRequire(join(root, 'packages/core/package.json'))('pg')
}

function adminUrlOf(databaseUrl) {
  const url = new URL(databaseUrl)
  const name = decodeURIComponent(url.pathname.slice(1))
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Unsupported benchmark database name "${name}"`)
  url.pathname = '/postgres'
  return { admin: url.toString(), name }
}

async function withAdmin(databaseUrl, fn) {
  const pg = loadPg()
  const { admin, name } = adminUrlOf(databaseUrl)
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    return await fn(client, name)
  } finally {
    await client.end()
  }
}

async function recreateDatabase(databaseUrl) {
  await withAdmin(databaseUrl, async (client, name) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await client.query(`CREATE DATABASE ${name}`)
  })
}

// ---------------------------------------------------------------------------------------------- scenarios

function baseEnv() {
  const env = { ...process.env }
  for (const key of ['DATABASE_URL', 'DATA_DIR', 'SEED_DEMO', 'PORT', 'HOST']) delete env[key]
  return env
}

/** Runs `fn` until it produced `runs` results, re-running (once per run) a run that had to build first. */
async function collect(label, runs, fn) {
  const results = []
  for (let i = 1; i <= runs; i++) {
    let result = await fn(i)
    if (result.built) {
      progress(`${label} #${i}: start.mjs built the project first; not counted, running again`)
      result = await fn(i)
    }
    if (result.exitCode !== 0) progress(`${label} #${i}: server exited with ${result.exitCode} after SIGTERM`)
    progress(
      `${label} #${i}: ${Math.round(result.ms)} ms${result.dbMs === null ? '' : ` (embedded DB open ${result.dbMs} ms)`}, peak RSS ${result.rssMiB ? `${Math.round(result.rssMiB)} MiB` : 'n/a'}`,
    )
    results.push(result)
  }
  return results
}

async function runScenarios(opts) {
  const rows = []
  const notes = []
  const want = (s) => opts.scenarios.includes(s)
  const run = (env) => timeStartup(env, opts)
  const newDataDir = async () => {
    const dir = await mkdtemp(join(os.tmpdir(), 'biodiv-bench-'))
    tmpDirs.push(dir)
    return dir
  }

  try {
    if (want('embedded-cold') || want('embedded-warm')) {
      let warmDir = null
      if (want('embedded-cold')) {
        const results = await collect('embedded-cold', opts.runs, async () => {
          const dir = await newDataDir()
          const result = await run({ ...baseEnv(), DATA_DIR: dir })
          if (warmDir) await rm(warmDir, { recursive: true, force: true })
          warmDir = dir // keep the last one for the warm runs
          return result
        })
        rows.push(['Embedded (PGlite), cold: new data dir', results])
      }
      if (want('embedded-warm')) {
        if (!warmDir) {
          warmDir = await newDataDir()
          progress('embedded-warm: preparing a data dir (untimed first start)')
          await run({ ...baseEnv(), DATA_DIR: warmDir })
        }
        const results = await collect('embedded-warm', opts.runs, () =>
          run({ ...baseEnv(), DATA_DIR: warmDir }),
        )
        rows.push(['Embedded (PGlite), warm: data dir reopened', results])
      }
    }

    if (want('pg-cold') || want('pg-warm')) {
      const shown = opts.databaseUrl.replace(/\/\/[^@/]*@/, '//…@')
      let reachable = true
      try {
        await withAdmin(opts.databaseUrl, (c) => c.query('SELECT 1'))
      } catch (error) {
        reachable = false
        progress(`PostgreSQL at ${shown} unreachable (${error.message}): skipping the pg scenarios`)
        notes.push(`PostgreSQL scenarios skipped: ${shown} unreachable (${error.message}).`)
      }
      if (reachable) {
        const env = { ...baseEnv(), DATABASE_URL: opts.databaseUrl, SEED_DEMO: '1' }
        const version = await withAdmin(opts.databaseUrl, (c) =>
          c.query("SELECT current_setting('server_version') AS v"),
        )
        notes.push(`PostgreSQL: ${version.rows[0].v} at ${shown} (local).`)
        let prepared = false
        if (want('pg-cold')) {
          const results = await collect('pg-cold', opts.runs, async () => {
            await recreateDatabase(opts.databaseUrl)
            return run(env)
          })
          prepared = true
          rows.push(['PostgreSQL, cold: empty database (migrations + seed)', results])
        }
        if (want('pg-warm')) {
          if (!prepared) {
            progress('pg-warm: preparing the database (untimed first start)')
            await recreateDatabase(opts.databaseUrl)
            await run(env)
          }
          rows.push([
            'PostgreSQL, warm: migrated and seeded',
            await collect('pg-warm', opts.runs, () => run(env)),
          ])
        }
      }
    }
  } finally {
    for (const dir of tmpDirs.splice(0)) await rm(dir, { recursive: true, force: true })
  }
  return { rows, notes }
}

// ------------------------------------------------------------------------------------------------- report

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

function median(sorted) {
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function gitCommit() {
  try {
    const head = readFileSync(join(root, '.git/HEAD'), 'utf8').trim()
    if (!head.startsWith('ref: ')) return head.slice(0, 10)
    return readFileSync(join(root, '.git', head.slice(5)), 'utf8')
      .trim()
      .slice(0, 10)
  } catch {
    return 'unknown'
  }
}

function report({ rows, notes }, opts) {
  const highLabel = opts.runs >= 20 ? 'p95' : 'max'
  const fmt = (n) => (n === null || n === undefined ? 'n/a' : String(Math.round(n)))
  const cpus = os.cpus()
  const lines = [
    `### Startup: time to first request (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; commit ${gitCommit()}; ${opts.runs} run(s) per scenario; ` +
      `load average ${loadAtStart} at start, ${os.loadavg()[0].toFixed(2)} at end.`,
    '',
    `Time from spawning \`node scripts/start.mjs\` to the first \`200 GET /api/health\` (polled every ${POLL_MS} ms); ` +
      'peak RSS = Σ VmHWM of the server process tree up to that moment (highest run).',
    '',
    `| scenario | median (ms) | ${highLabel} (ms) | min (ms) | embedded DB open, median (ms) | peak RSS (MiB) |`,
    '|---|---:|---:|---:|---:|---:|',
  ]
  for (const [label, results] of rows) {
    const times = results.map((r) => r.ms).sort((a, b) => a - b)
    const rss = results.map((r) => r.rssMiB).filter((v) => v !== null)
    const db = results
      .map((r) => r.dbMs)
      .filter((v) => v !== null)
      .sort((a, b) => a - b)
    lines.push(
      `| ${label} | ${fmt(median(times))} | ${fmt(opts.runs >= 20 ? percentile(times, 95) : times.at(-1))} | ` +
        `${fmt(times[0])} | ${db.length ? fmt(median(db)) : '–'} | ${rss.length ? fmt(Math.max(...rss)) : 'n/a'} |`,
    )
  }
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`))
  return lines.join('\n')
}

// --------------------------------------------------------------------------------------------------- main

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  progress(`runs: ${opts.runs}, scenarios: ${opts.scenarios.join(', ')}`)
  const results = await runScenarios(opts)
  process.stdout.write(`${report(results, opts)}\n`)
}

main().catch((error) => {
  progress(`failed: ${error instanceof Error ? error.message : error}`)
  for (const child of live) killTree(child, 'SIGKILL')
  process.exit(1)
})
