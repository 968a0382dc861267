import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { withPlatform } from '../cli/cli-platform.ts'
import { importTaxrefFile, type TaxrefImportReport } from './taxref-import.ts'

export function formatTaxrefReport(file: string, r: TaxrefImportReport): string {
  const lines = [
    `TAXREF ${file}: ${r.rows} names in ${r.seconds.toFixed(1)} s (${r.rowsPerSecond} rows/s)`,
    `  inserted ${r.inserted}, updated ${r.updated}, unchanged ${r.unchanged}, deleted ${r.deleted}` +
      (r.listItemsRemoved ? ` (with ${r.listItemsRemoved} taxon list entries)` : ''),
  ]
  if (r.kept.length) {
    lines.push(`  ${r.kept.length} names absent from the file are still used, kept:`)
    for (const k of r.kept.slice(0, 100)) lines.push(`    cd_nom ${k.cdNom} (${k.usedBy.join(', ')})`)
    if (r.kept.length > 100) lines.push(`    … and ${r.kept.length - 100} more`)
  }
  return `${lines.join('\n')}\n`
}

/** `pnpm cli taxref:import FILE [--encoding latin1]`: imports or updates TAXREF, in one transaction. */
export async function taxrefImportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { encoding: { type: 'string', default: 'utf8' } },
  })
  const file = positionals[0]
  if (!file || positionals.length > 1)
    throw new Error('Usage: pnpm cli taxref:import FILE [--encoding latin1]')
  if (!existsSync(file)) throw new Error(`${file}: no such file`)
  await withPlatform(async ({ database }) => {
    const report = await importTaxrefFile(database.pool, file, { encoding: values.encoding })
    process.stdout.write(formatTaxrefReport(file, report))
  })
}
