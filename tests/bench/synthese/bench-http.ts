// HTTP side of the Synthese benchmark: the server as a child process (so its memory can be read from /proc), a
// keep-alive client, timing helpers.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { createServer } from 'node:net'
import { serverNodeArgs } from '../../../scripts/server-node-args.mjs'

export interface Stats {
  n: number
  p50: number
  p95: number
  p99: number
  mean: number
  max: number
  perSecond: number
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

export function stats(ms: number[], wallMs: number): Stats {
  const sorted = [...ms].sort((a, b) => a - b)
  return {
    n: ms.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length),
    max: sorted.at(-1) ?? 0,
    perSecond: (ms.length / wallMs) * 1000,
  }
}

/**
 * `clients` concurrent loops, each running `run` up to `perClient` times, one after the other, stopping early once
 * `budgetMs` has passed (the count actually run is in the stats). Returns each call's latency.
 */
export async function measure(
  clients: number,
  perClient: number,
  budgetMs: number,
  run: (i: number) => Promise<unknown>,
): Promise<Stats> {
  const times: number[] = []
  const start = performance.now()
  const deadline = start + budgetMs
  let next = 0
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < perClient && performance.now() < deadline; i++) {
        const t0 = performance.now()
        await run(next++)
        times.push(performance.now() - t0)
      }
    }),
  )
  return stats(times, performance.now() - start)
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** VmRSS and VmHWM (peak) of a process, in MiB; null once it is gone. */
export function processMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kib = (key: string) =>
      Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? Number.NaN)
    return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 }
  } catch {
    return null
  }
}

/** Samples a process's VmRSS every `everyMs` until stopped: the highest value seen. */
export function sampleRss(pid: number, everyMs = 20) {
  let peak = 0
  const timer = setInterval(() => {
    const m = processMemory(pid)
    if (m) peak = Math.max(peak, m.rss)
  }, everyMs)
  return {
    stop() {
      clearInterval(timer)
      const m = processMemory(pid)
      if (m) peak = Math.max(peak, m.rss)
      return peak
    },
  }
}

export interface Response {
  status: number
  body: string
  bytes: number
  newlines: number
  firstByteMs: number
  cookie?: string
}

export interface BenchServer {
  pid: number
  port: number
  /** `keepBody: false` streams the body away, counting bytes and newlines only (exports). */
  request(
    method: string,
    path: string,
    options?: { body?: string; cookie?: string; keepBody?: boolean },
  ): Promise<Response>
  stop(): Promise<void>
}

/**
 * Starts `packages/core/src/server.ts` (what `pnpm start` runs once built) on `databaseUrl` as a child process in
 * production mode, waits for `200 /api/health`. Its output is kept for the error message if it dies.
 */
export async function startServer(
  root: string,
  databaseUrl: string,
  maxSockets: number,
  log: (m: string) => void,
): Promise<BenchServer> {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    SESSION_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
    LOGIN_RATE_LIMIT: '1000',
    // V8 flags for the server only (a --max-old-space-size here replaces the one `pnpm start` gives).
    NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS ?? process.env.NODE_OPTIONS,
  }
  delete env.SEED_DEMO
  const child: ChildProcess = spawn(
    process.execPath,
    [...serverNodeArgs(env), 'packages/core/src/server.ts'],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const output: string[] = []
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      output.push(...chunk.split('\n').filter(Boolean))
      if (output.length > 100) output.splice(0, output.length - 100)
    })
  }
  let exited = false
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true
      resolve()
    }),
  )
  const onExit = () => child.kill('SIGKILL')
  process.once('exit', onExit)

  const agent = new http.Agent({ keepAlive: true, maxSockets })
  const request: BenchServer['request'] = (method, path, options = {}) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now()
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: {
            ...(options.body ? { 'content-type': 'application/json' } : {}),
            ...(options.cookie ? { cookie: options.cookie } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          let bytes = 0
          let newlines = 0
          let firstByteMs = 0
          res.on('data', (d: Buffer) => {
            if (!firstByteMs) firstByteMs = performance.now() - t0
            bytes += d.length
            if (options.keepBody === false) {
              for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) newlines++
            } else chunks.push(d)
          })
          res.on('error', reject)
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              bytes,
              newlines,
              firstByteMs,
              cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
            }),
          )
        },
      )
      req.on('error', reject)
      req.end(options.body)
    })

  const started = performance.now()
  for (;;) {
    if (exited) throw new Error(`server exited before answering:\n${output.slice(-30).join('\n')}`)
    if (performance.now() - started > 120_000)
      throw new Error(`server not ready after 120 s:\n${output.join('\n')}`)
    const ok = await request('GET', '/api/health').then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) break
    await new Promise((r) => setTimeout(r, 100))
  }
  log(
    `Server ready on port ${port} (pid ${child.pid}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
  return {
    pid: child.pid!,
    port,
    request,
    async stop() {
      agent.destroy()
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exit
      clearTimeout(timer)
      process.removeListener('exit', onExit)
    },
  }
}
