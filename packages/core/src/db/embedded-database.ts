/**
 * Embedded default database: PGlite (PostgreSQL 18 compiled to WebAssembly) with PostGIS, exposed on a local
 * TCP port through pglite-socket so that `pg`, psql and Prisma's `@prisma/adapter-pg` talk to it unchanged.
 *
 * For demos and single-user installs only. See docs/adr/0003-embedded-database.md.
 */
import { readFileSync, unlinkSync } from 'node:fs'
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises'
import { createServer, isIPv6, type Server } from 'node:net'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { ltree } from '@electric-sql/pglite/contrib/ltree'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { unaccent } from '@electric-sql/pglite/contrib/unaccent'
import { postgis } from '@electric-sql/pglite-postgis'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

export interface EmbeddedDatabase {
  /** `postgres://postgres@HOST:PORT/postgres`: give it to ONE single-connection pool (see startEmbeddedDatabase). */
  url: string
  /** Stops the socket server, closes PGlite (flushing the data directory) and releases the lock. Idempotent. */
  close(): Promise<void>
  /** The port actually listened on (useful with `port: 0`). */
  readonly port: number
  /** Absolute path of the data directory. */
  readonly dataDir: string
  /** True when this start created a new database (first start in an empty directory). */
  readonly created: boolean
}

export interface EmbeddedDatabaseOptions {
  /** Directory holding the database files; created if missing. */
  dataDir: string
  /** TCP port; 0 (the default) picks a random free port. */
  port?: number
  /** Interface to bind; default 127.0.0.1. Do not expose this server on a network: it has no authentication. */
  host?: string
  log?: (msg: string) => void
}

export type EmbeddedDatabaseErrorCode =
  | 'PORT_IN_USE'
  | 'DATA_DIR_LOCKED'
  | 'DATA_DIR_INVALID'
  | 'OPEN_FAILED'
  | 'LISTEN_FAILED'

export class EmbeddedDatabaseError extends Error {
  readonly code: EmbeddedDatabaseErrorCode

  constructor(code: EmbeddedDatabaseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'EmbeddedDatabaseError'
    this.code = code
  }
}

/**
 * Extensions `CREATE EXTENSION` can install in the embedded database (plpgsql is built in). Anything else fails with
 * `extension "…" is not available`. Never run `CREATE EXTENSION postgis_raster` or `postgis_topology` here: their
 * libraries do not load in pglite-postgis 0.2.8, and through the socket the statement can hang the whole database
 * and leave a half-installed extension behind.
 */
export const EMBEDDED_EXTENSIONS = ['plpgsql', 'postgis', 'unaccent', 'pg_trgm', 'ltree'] as const

/** The PostgreSQL major version PGlite 0.5.8 runs: a data directory of another version cannot be opened. */
const PG_MAJOR = '18'
const LOCK_FILE = 'embedded-database.lock'
const USER = 'postgres'
const DATABASE = 'postgres'

/** Data directories opened by this process (a directory must never be opened twice). */
const openedHere = new Set<string>()

/**
 * Opens (or creates) the PGlite + PostGIS database persisted in `dataDir` and serves it on `host:port` through
 * PGLiteSocketServer. Loads the extensions listed in {@link EMBEDDED_EXTENSIONS} (they still need
 * `CREATE EXTENSION`). First start in an empty directory takes ≈ 10 s (initdb) and `CREATE EXTENSION postgis`
 * another ≈ 6 s; reopening takes ≈ 4–5 s; the process then holds ≈ 1 GB of RAM.
 *
 * **Callers must use exactly one database connection for the whole process**, e.g.
 * `new pg.Pool({ connectionString: db.url, max: 1 })`, and hand that same pool to everything (Prisma's
 * `new PrismaPg(pool)`, the job queue, raw `pg` queries). Behind the socket there is ONE PostgreSQL session: with
 * several connections, a transaction open on one of them makes results reach the wrong caller. The server
 * therefore accepts a single connection and drops any other (the client sees "Connection terminated
 * unexpectedly" / ECONNRESET, and `log` reports it). Two pools of one connection each are two connections.
 * Because the session is shared, session state (SET, search_path, named prepared statements, temp tables)
 * survives a reconnect; startup parameters in the URL (user, password, database name, `options`) are ignored.
 *
 * `COPY … FROM STDIN` works (pg-copy-streams, psql `\copy`) when sent as a single simple-protocol statement; its
 * data is buffered in memory until CopyDone, so keep embedded bulk loads demo-sized.
 *
 * Close (or end) that pool before calling `close()`: `close()` drops the connection, rolling back any open
 * transaction.
 *
 * A lock file in `dataDir` refuses a second process opening the same directory (PGlite itself does not check
 * and two instances would corrupt it); a lock left by a crashed process (kill -9) is detected and removed.
 *
 * @throws {EmbeddedDatabaseError} `PORT_IN_USE`, `DATA_DIR_LOCKED`, `DATA_DIR_INVALID`, `OPEN_FAILED`,
 * `LISTEN_FAILED`.
 */
export async function startEmbeddedDatabase(opts: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const t0 = performance.now()
  const log = opts.log ?? (() => {})
  const host = opts.host ?? '127.0.0.1'
  const requestedPort = opts.port ?? 0
  const dataDir = resolve(opts.dataDir)
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new RangeError(`Invalid port ${String(opts.port)}: expected an integer between 0 and 65535`)
  }

  // Fail before the slow part: opening PGlite takes seconds, binding a port takes microseconds.
  if (requestedPort !== 0) await assertPortFree(host, requestedPort)

  await mkdir(dataDir, { recursive: true })
  const created = await inspectDataDir(dataDir)
  const releaseLock = await acquireLock(dataDir, log)

  let db: PGlite | undefined
  try {
    log(
      created
        ? `embedded database: creating a new database in ${dataDir} (first start takes about 10 s)`
        : `embedded database: opening ${dataDir}`,
    )
    try {
      db = await PGlite.create({ dataDir, extensions: { postgis, pg_trgm, unaccent, ltree } })
    } catch (cause) {
      throw new EmbeddedDatabaseError(
        'OPEN_FAILED',
        `Could not open the embedded database in ${dataDir}: ${errorMessage(cause)}. ` +
          (created
            ? 'The directory was empty; delete it and retry.'
            : 'If the directory is a leftover of an interrupted first start, delete it to start afresh.'),
        { cause },
      )
    }
    const server = await listen(db, host, requestedPort, log)
    const port = server.port
    const url = `postgres://${USER}@${urlHost(host)}:${port}/${DATABASE}`
    log(
      `embedded database: ready at ${url} in ${Math.round(performance.now() - t0)} ms ` +
        '(single connection: use a pool with max 1)',
    )

    let closing: Promise<void> | undefined
    const openDb = db
    const close = (): Promise<void> => {
      closing ??= (async () => {
        try {
          await server.socket.stop()
          // stop() detaches the client and rolls back its transaction asynchronously: make sure it is done.
          if (openDb.isInTransaction()) await openDb.exec('ROLLBACK')
          await openDb.close()
        } finally {
          releaseLock()
        }
        log(`embedded database: closed ${dataDir}`)
      })()
      return closing
    }
    return { url, close, port, dataDir, created }
  } catch (error) {
    if (db && !db.closed) await db.close().catch(() => {})
    releaseLock()
    throw error
  }
}

async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)))
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolvePromise()))
  })
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): EmbeddedDatabaseError {
  if (error.code === 'EADDRINUSE') {
    return new EmbeddedDatabaseError(
      'PORT_IN_USE',
      `Cannot start the embedded database: port ${port} on ${host} is already in use. ` +
        'Choose another port, or 0 for a random free one.',
      { cause: error },
    )
  }
  return new EmbeddedDatabaseError(
    'LISTEN_FAILED',
    `Cannot start the embedded database on ${host}:${port}: ${error.message}`,
    { cause: error },
  )
}

/** Returns true when the directory holds no database yet; throws when it holds something else. */
async function inspectDataDir(dataDir: string): Promise<boolean> {
  const entries = (await readdir(dataDir)).filter((name) => name !== LOCK_FILE)
  if (entries.length === 0) return true
  if (!entries.includes('PG_VERSION')) {
    throw new EmbeddedDatabaseError(
      'DATA_DIR_INVALID',
      `${dataDir} is not empty and holds no database (no PG_VERSION file). Point the embedded database to an ` +
        'empty or missing directory; if this is a leftover of an interrupted first start, delete it.',
    )
  }
  const version = (await readFile(join(dataDir, 'PG_VERSION'), 'utf8')).trim()
  if (version !== PG_MAJOR) {
    throw new EmbeddedDatabaseError(
      'DATA_DIR_INVALID',
      `${dataDir} holds a PostgreSQL ${version} data directory; the embedded database (PGlite 0.5.8) runs ` +
        `PostgreSQL ${PG_MAJOR} and cannot open it. Use another directory, or a real PostgreSQL server.`,
    )
  }
  return false
}

interface LockInfo {
  pid: number
  hostname: string
  /** Process start time in clock ticks since boot (Linux /proc/<pid>/stat field 22), to detect pid reuse. */
  processStart: string | null
  since: string
}

async function acquireLock(dataDir: string, log: (msg: string) => void): Promise<() => void> {
  if (openedHere.has(dataDir)) {
    throw new EmbeddedDatabaseError(
      'DATA_DIR_LOCKED',
      `The embedded database in ${dataDir} is already open in this process: reuse it instead of starting it twice.`,
    )
  }
  const lockPath = join(dataDir, LOCK_FILE)
  const me: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    processStart: processStartTime(process.pid),
    since: new Date().toISOString(),
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx')
      await handle.writeFile(`${JSON.stringify(me)}\n`)
      await handle.close()
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error
    }
    const holder = await readLock(lockPath)
    if (holder && isAlive(holder)) {
      throw new EmbeddedDatabaseError(
        'DATA_DIR_LOCKED',
        `The embedded database in ${dataDir} is in use by process ${holder.pid} (since ${holder.since}). ` +
          `Stop that process first; if no such process is running, delete ${lockPath}.`,
      )
    }
    log(
      `embedded database: removing a stale lock left by ${holder ? `process ${holder.pid}` : 'an unknown process'} ` +
        '(it did not shut down cleanly)',
    )
    await unlink(lockPath).catch(() => {})
  }
  openedHere.add(dataDir)

  let released = false
  const release = (): void => {
    if (released) return
    released = true
    process.off('exit', release)
    openedHere.delete(dataDir)
    try {
      unlinkSync(lockPath)
    } catch {
      // already gone
    }
  }
  // Safety net when the process exits without close() (process.exit in a signal handler, uncaught error).
  process.on('exit', release)
  return release
}

async function readLock(lockPath: string): Promise<LockInfo | null> {
  try {
    const parsed = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockInfo>
    if (typeof parsed.pid !== 'number') return null
    return {
      pid: parsed.pid,
      hostname: parsed.hostname ?? '',
      processStart: parsed.processStart ?? null,
      since: parsed.since ?? 'an unknown time',
    }
  } catch {
    return null
  }
}

function isAlive(holder: LockInfo): boolean {
  // Another machine (shared volume) or another container: its process cannot be checked from here. A container
  // restarted on the same volume gets a new hostname, and its previous process is gone.
  if (holder.hostname !== hostname()) return false
  // This process never holds a directory it has not recorded in openedHere: the lock is from an earlier process
  // that had the same pid (typical after a container restart).
  if (holder.pid === process.pid) return false
  try {
    process.kill(holder.pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const start = processStartTime(holder.pid)
  return !(holder.processStart && start && holder.processStart !== start)
}

function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may contain spaces: field 3 is index 0.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

async function listen(
  db: PGlite,
  host: string,
  port: number,
  log: (msg: string) => void,
): Promise<{ socket: PGLiteSocketServer; port: number }> {
  const copyIn = batchCopyIn(db)
  const socket = new PGLiteSocketServer({ db: copyIn.db, host, port, maxConnections: 1 })
  // A new client must not inherit a COPY its predecessor abandoned.
  socket.addEventListener('connection', copyIn.reset)
  socket.addEventListener('error', (event) => {
    log(`embedded database: socket server error: ${errorMessage((event as CustomEvent<unknown>).detail)}`)
  })
  try {
    await socket.start()
  } catch (error) {
    throw listenError(error as NodeJS.ErrnoException, host, port)
  }
  // PGLiteSocketServer keeps its net.Server private; read it for the real port and to explain dropped connections.
  const netServer = (socket as unknown as { server?: Server | null }).server
  netServer?.on('drop', () => {
    log(
      'embedded database: refused a second connection. The embedded database serves ONE connection: ' +
        'share a single pool with max: 1 between all users of the database.',
    )
  })
  const address = netServer?.address()
  const actualPort =
    address && typeof address === 'object' ? address.port : Number(socket.getServerConn().split(':').pop())
  return { socket, port: actualPort }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return isIPv6(host) ? `[${host}]` : host
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

// ------------------------------------------------------------------------------------------ COPY FROM STDIN

const COPY_DONE = 0x63 // 'c'
const COPY_FAIL = 0x66 // 'f'
const QUERY = 0x51 // 'Q'
const TERMINATE = 0x58 // 'X'
const COPY_IN_RESPONSE = 0x47 // 'G'
const PROTOCOL_3 = 196608

/**
 * pglite-socket hands PGlite one wire-protocol message at a time. PGlite runs `COPY … FROM STDIN` only when the
 * Query, every CopyData and the CopyDone arrive in ONE call: fed separately, it loses protocol synchronisation
 * (`terminating connection because protocol synchronization was lost`, 08P01) and the connection dies. This wraps
 * the PGlite instance given to the socket server: a simple-protocol Query that is a `COPY … FROM STDIN` is held
 * back, the client gets a CopyInResponse at once (without column formats: pg-copy-streams and psql's \copy do not
 * need them), its CopyData messages are buffered in memory, and at CopyDone/CopyFail the whole sequence goes to
 * PGlite in one call; PGlite's own CopyInResponse is then dropped from the answer. The data is held in memory three
 * times over (buffer, concatenation, WebAssembly heap): fine for demo-sized files, not for a full TAXREF.
 */
function batchCopyIn(db: PGlite): { db: PGlite; reset: () => void } {
  let pending: Uint8Array[] | null = null
  const reset = (): void => {
    pending = null
  }
  const execProtocolRawStream = async (
    message: Uint8Array,
    options: { onRawData: (data: Uint8Array) => void; syncToFs?: boolean },
  ): Promise<void> => {
    const type = message[0]
    if (pending) {
      if (isStartupMessage(message)) {
        pending = null // a new session began: the old COPY is gone with its client
      } else if (type === TERMINATE) {
        pending = null
        return db.execProtocolRawStream(message, options)
      } else {
        pending.push(message)
        if (type !== COPY_DONE && type !== COPY_FAIL) return
        const batch = concat(pending)
        pending = null
        return db.execProtocolRawStream(batch, {
          ...options,
          onRawData: dropFirstCopyInResponse(options.onRawData),
        })
      }
    }
    if (type === QUERY) {
      const sql = queryText(message)
      if (isCopyFromStdin(sql)) {
        pending = [message]
        options.onRawData(copyInResponse(/\bbinary\b/i.test(sql) ? 1 : 0))
        return
      }
    }
    return db.execProtocolRawStream(message, options)
  }
  const proxy = new Proxy(db, {
    get(target, property) {
      if (property === 'execProtocolRawStream') return execProtocolRawStream
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { db: proxy, reset }
}

function isStartupMessage(message: Uint8Array): boolean {
  if (message.length < 8) return false
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength)
  return view.getInt32(0) === message.length && view.getInt32(4) === PROTOCOL_3
}

function queryText(message: Uint8Array): string {
  // 'Q', int32 length, the SQL as a NUL-terminated string.
  return Buffer.from(message.buffer, message.byteOffset + 5, Math.max(0, message.length - 6)).toString('utf8')
}

/** A single `COPY … FROM STDIN` statement (leading comments allowed). */
function isCopyFromStdin(sql: string): boolean {
  const statement = sql.replace(/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '')
  return /^copy\b[^;]*\bfrom\s+stdin\b[^;]*;?\s*$/i.test(statement)
}

function copyInResponse(format: 0 | 1): Uint8Array {
  // 'G', int32 length (7), int8 overall format, int16 column count (0).
  const message = Buffer.alloc(8)
  message[0] = COPY_IN_RESPONSE
  message.writeInt32BE(7, 1)
  message.writeInt8(format, 5)
  message.writeInt16BE(0, 6)
  return message
}

function dropFirstCopyInResponse(onRawData: (data: Uint8Array) => void): (data: Uint8Array) => void {
  let skip: number | null = null // bytes of PGlite's CopyInResponse still to drop; null until known
  let head: Uint8Array = new Uint8Array(0)
  return (data) => {
    if (skip === null) {
      head = concat([head, data])
      if (head.length < 5) return
      skip = head[0] === COPY_IN_RESPONSE ? 1 + new DataView(head.buffer, head.byteOffset).getInt32(1) : 0
      data = head
    }
    if (skip > 0) {
      const dropped = Math.min(skip, data.length)
      skip -= dropped
      data = data.subarray(dropped)
    }
    if (data.length > 0) onRawData(data)
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0]
  return Buffer.concat(parts)
}
