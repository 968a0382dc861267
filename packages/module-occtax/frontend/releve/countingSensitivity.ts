import type { Counting, Occurrence } from './types.ts'

// The sensitivity the server computed for each counting (its Synthese row's level, from the sensitivity rules or
// an expert): shown next to the taxon once the relevé is saved. Pure functions, no SDK import: unit-tested.

const levels = (occurrence: Occurrence) =>
  occurrence.countings.map((c: Counting) => c.sensitivityLevel).filter((l): l is number => l !== null)

/** An occurrence's level: the highest of its countings' (null when none is known yet). */
export function occurrenceLevel(occurrence: Occurrence): number | null {
  const known = levels(occurrence)
  return known.length ? Math.max(...known) : null
}

/** Whether its countings have different levels (an expert changed one): then each counting says its own. */
export const countingsDiffer = (occurrence: Occurrence) => new Set(levels(occurrence)).size > 1
