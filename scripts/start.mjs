// `pnpm start`: builds what is missing (Prisma client, web shell, module UIs), then runs the server from its
// TypeScript sources in a child process. With no DATABASE_URL the server starts the embedded database itself.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serverNodeArgs } from './server-node-args.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const missing = [
  join(root, 'packages/core/src/generated/prisma/client.ts'),
  join(root, 'packages/frontend/dist/index.html'),
  ...readdirSync(join(root, 'packages'))
    .filter((dir) => dir.startsWith('module-'))
    .map((dir) => join(root, 'packages', dir, 'dist/frontend/index.js')),
].filter((file) => !existsSync(file))

if (missing.length > 0) {
  console.log(`Building first (missing: ${missing.map((f) => f.slice(root.length + 1)).join(', ')})`)
  const build = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

// The server runs in a child process: V8's heap flags (serverNodeArgs) can only be given when a process starts.
const server = spawn(process.execPath, [...serverNodeArgs(), join(root, 'packages/core/src/server.ts')], {
  cwd: root,
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.kill(signal))
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
