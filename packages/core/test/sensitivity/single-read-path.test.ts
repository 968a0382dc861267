import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { rootDir } from '../../src/config.ts'

/**
 * Observations leave the server only through the core's observation source (ADR 15: the one place sensitive rows
 * are blurred). A tripwire: every source file naming the table gn_synthese.synthese in code is listed here with why
 * it may; a new reader fails this test until it reads `observationSource` instead (or is reviewed and listed).
 */
const ALLOWED: Record<string, string> = {
  'packages/core/src/sensitivity/observation-source.ts':
    'THE reader: blurs for callers without precise access',
  'packages/core/src/sensitivity/sensitivity-override.ts': "writes an expert's level (UPDATE)",
  'packages/core/src/sensitivity/sensitivity-rules.ts': 'recomputes levels after a rule change (UPDATE)',
  'packages/core/src/synthese/synthese-service.ts': 'the row writer (INSERT/UPDATE/DELETE)',
  'packages/core/src/synthese/synthese-bulk-writer.ts': 'the bulk writer (import finalize)',
  'packages/core/src/synthese/observation-generator.ts': 'generates benchmark/demo rows (INSERT)',
  'packages/core/src/synthese/validation-status-service.ts':
    'writes statuses; selects by the caller source it is given, by UUID only to check existence',
  'packages/core/src/synthese/synthese-tiles.ts': 'whether a caller owns sensitive rows (no geometry read)',
  'packages/core/src/synthese/synthese-queries.ts': 'datasets holding the caller’s own rows (ids only)',
  'packages/module-validation/src/validation-queries.ts': 'validation history by UUID (no geometry read)',
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === 'node_modules' || name === 'generated' || name === 'dist') return []
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|vue)$/.test(name) ? [path] : []
  })

describe('one read path for observations', () => {
  it('names gn_synthese.synthese in code only in the reviewed files', () => {
    const packages = join(rootDir, 'packages')
    const found = readdirSync(packages)
      .flatMap((p) =>
        sourceFiles(join(packages, p)).filter((f) => f.includes('/src/') || f.includes('/frontend/')),
      )
      .filter((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(\*|\/\/|\/\*\*)/.test(line))
          .some((line) => /gn_synthese\.synthese(?![_a-z])/.test(line)),
      )
      .map((file) => relative(rootDir, file))
      .sort()
    expect(found.filter((f) => !(f in ALLOWED))).toEqual([])
  })
})
