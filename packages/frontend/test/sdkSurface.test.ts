import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const sdkDir = join(dirname(fileURLToPath(import.meta.url)), '../src/sdk')
const index = readFileSync(join(sdkDir, 'index.ts'), 'utf8')
const readme = readFileSync(join(sdkDir, 'README.md'), 'utf8')

/** The names `sdk/index.ts` exports (values and types), from its `export { … } from` / `export * as` lines. */
function exportedNames(source: string): string[] {
  const names: string[] = []
  for (const [, list] of source.matchAll(/export (?:type )?\{([^}]*)\} from/g)) {
    for (const item of list!.split(',')) {
      const name = item
        .trim()
        .split(/\s+as\s+/)
        .pop()
      if (name) names.push(name)
    }
  }
  for (const [, name] of source.matchAll(/export \* as (\w+) from/g)) names.push(name!)
  return names
}

describe('@biodiv/sdk public surface', () => {
  it('lists every export of sdk/index.ts in sdk/README.md', () => {
    const names = exportedNames(index)
    expect(names.length).toBeGreaterThan(50)
    const missing = names.filter((name) => !new RegExp(`\`${name}[\`(<,\\s]`).test(readme))
    expect(missing).toEqual([])
  })

  it('keeps the Synthèse page internals out', () => {
    const names = exportedNames(index)
    for (const internal of [
      'syntheseApi',
      'SyntheseResultsTable',
      'SyntheseExport',
      'downloadExport',
      'ChipAutocomplete',
    ]) {
      expect(names).not.toContain(internal)
    }
    // The OpenLayers re-exports are documented as a group.
    expect(index).toContain("export * from './ol.ts'")
    expect(readme).toContain('./ol.ts')
  })
})
