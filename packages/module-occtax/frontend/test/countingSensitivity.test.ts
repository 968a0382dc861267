import { describe, expect, it } from 'vitest'
import { countingsDiffer, occurrenceLevel } from '../releve/countingSensitivity.ts'
import type { Occurrence } from '../releve/types.ts'

const occurrence = (...levels: (number | null)[]) =>
  ({ countings: levels.map((sensitivityLevel, id) => ({ id, sensitivityLevel })) }) as unknown as Occurrence

describe('the sensitivity of an occurrence', () => {
  it('is the highest level of its countings, null before the server computed any', () => {
    expect(occurrenceLevel(occurrence(2))).toBe(2)
    expect(occurrenceLevel(occurrence(0, 3, null))).toBe(3)
    expect(occurrenceLevel(occurrence(null))).toBeNull()
    expect(occurrenceLevel(occurrence())).toBeNull()
  })

  it('says when its countings differ (then each shows its own)', () => {
    expect(countingsDiffer(occurrence(2, 2))).toBe(false)
    expect(countingsDiffer(occurrence(2, 3))).toBe(true)
    expect(countingsDiffer(occurrence(2, null))).toBe(false)
  })
})
