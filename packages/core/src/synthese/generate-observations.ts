import { parseArgs } from 'node:util'
import { withPlatform } from '../cli/cli-platform.ts'
import { generateObservations } from './observation-generator.ts'

/**
 * `pnpm data:generate --observations N [--seed S] [--batch 100000]`: N synthetic observations in the synthese
 * (source GENERATED, framework "Données synthétiques (benchmark)"), on the configured database (embedded when
 * DATABASE_URL is unset). The logic is in `observation-generator.ts`.
 */
const positiveInteger = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`--${name} must be a positive integer`)
  return Number(value)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      observations: { type: 'string' },
      seed: { type: 'string' },
      batch: { type: 'string' },
    },
  })
  if (values.observations === undefined) throw new Error('--observations N is required')
  const count = positiveInteger('observations', values.observations, 0)
  const seed = values.seed === undefined ? 1 : Number(values.seed)
  if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be a non-negative integer')
  const batchSize = positiveInteger('batch', values.batch, 100_000)
  await withPlatform(async ({ database }) => {
    const result = await generateObservations(database.pool, {
      count,
      seed,
      batchSize,
      onProgress: (p) =>
        process.stderr.write(
          `${p.done}/${p.total} observations, ${p.seconds.toFixed(1)} s, ${Math.round(p.rowsPerSecond)} rows/s\n`,
        ),
    })
    process.stderr.write(
      `${result.inserted} observations generated (rows ${result.firstIndex}–${result.lastIndex} of source GENERATED, ` +
        `${result.taxa} taxa, ${result.datasetIds.length} datasets) in ${result.seconds.toFixed(1)} s: ` +
        `${Math.round(result.rowsPerSecond)} rows/s\n`,
    )
  })
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`)
  process.exitCode = 1
})
