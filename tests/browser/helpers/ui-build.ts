import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

const UI_PACKAGES = [
  {
    dir: 'packages/frontend',
    sources: ['src', 'build', 'index.html', 'vite.config.ts'],
    output: 'dist/index.html',
  },
  ...['occtax', 'import', 'validation'].map((m) => ({
    dir: `packages/module-${m}`,
    sources: ['frontend', '../frontend/src', '../frontend/build'],
    output: 'dist/frontend/index.js',
  })),
]

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))))
}

/**
 * Builds the shell and the first-party module UIs when a build is missing or older than its sources,
 * so browser tests never run against a stale bundle.
 */
export function ensureUiBuilt(): void {
  for (const pkg of UI_PACKAGES) {
    const dir = join(ROOT, pkg.dir)
    const built = newestMtime(join(dir, pkg.output))
    const changed = Math.max(...pkg.sources.map((s) => newestMtime(join(dir, s))))
    if (built === 0 || changed > built) {
      execFileSync('pnpm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] })
    }
  }
}
