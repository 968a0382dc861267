import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { withPlatform } from '../cli/cli-platform.ts'
import { importSensitivityFile } from './sensitivity-import.ts'
import { refreshSensitivity } from './sensitivity-rules.ts'

const SEPARATORS: Record<string, string> = { ',': ',', ';': ';', tab: '\t', '\\t': '\t', '|': '|' }

export const SENSITIVITY_IMPORT_USAGE =
  'Usage: pnpm cli sensitivity:import FILE [--source NAME] [--separator ,|;|tab|\\|] [--encoding utf-8|latin1…] ' +
  '[--national-only] [--inactive-unknown-areas]'

/** `pnpm cli sensitivity:import FILE …`: replaces the rules of the file's source, in one transaction. */
export async function sensitivityImportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      separator: { type: 'string' },
      encoding: { type: 'string' },
      'national-only': { type: 'boolean' },
      'inactive-unknown-areas': { type: 'boolean' },
    },
  })
  const file = positionals[0]
  if (!file || positionals.length > 1) throw new Error(SENSITIVITY_IMPORT_USAGE)
  if (!existsSync(file)) throw new Error(`${file}: no such file`)
  let separator: string | undefined
  if (values.separator !== undefined) {
    separator = SEPARATORS[values.separator]
    if (!separator) throw new Error(`--separator must be one of , ; tab |, got "${values.separator}"`)
  }
  await withPlatform(async ({ database }) => {
    const r = await importSensitivityFile(database.pool, file, {
      source: values.source,
      separator,
      encoding: values.encoding,
      nationalOnly: values['national-only'],
      inactiveUnknownAreas: values['inactive-unknown-areas'],
    })
    process.stdout.write(
      `Sensitivity referential "${r.source}" (${r.encoding}, separator ${JSON.stringify(r.separator)}): ` +
        `${r.rules} rules imported (${r.inactive} inactive), ${r.replaced} replaced; ` +
        `${r.recomputed} observations recomputed in ${r.seconds.toFixed(1)} s.\n`,
    )
  })
}

/** `pnpm cli sensitivity:refresh [--cd-nom N,N…]`: rebuilds rule_taxa and recomputes the synthese's levels. */
export async function sensitivityRefreshCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'cd-nom': { type: 'string' } } })
  let cdNoms: number[] | undefined
  if (values['cd-nom'] !== undefined) {
    cdNoms = values['cd-nom'].split(',').map((v) => {
      if (!/^\s*\d+\s*$/.test(v))
        throw new Error(`--cd-nom takes cd_nom integers separated by commas, got "${v}"`)
      return Number(v)
    })
  }
  await withPlatform(async ({ database }) => {
    const started = performance.now()
    const r = await refreshSensitivity(database.pool, { cdNoms, refreshTaxa: true })
    process.stdout.write(
      `Sensitivity refreshed: ${r.recomputed} observations changed level, ${r.reblurred} re-blurred ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
    )
  })
}
