import { describe, expect, it } from 'vitest'
import { l93CellCode, l93CellCodeAt, l93GridCells } from '../src/map/l93Grid.ts'
import { fromLambert93, toLambert93 } from '../src/map/lambert93.ts'

describe('Lambert-93', () => {
  it('maps the projection origin (3°E, 46.5°N) to (700 000, 6 600 000)', () => {
    const [x, y] = toLambert93([3, 46.5])
    expect(x).toBeCloseTo(700_000, 3)
    expect(y).toBeCloseTo(6_600_000, 3)
  })

  it('round-trips points of the demo region to well under a millimetre', () => {
    for (const p of [
      [5.8, 44.5],
      [6.7, 45.2],
      [6.25, 44.85],
    ] as [number, number][]) {
      const back = fromLambert93(toLambert93(p))
      expect(back[0]).toBeCloseTo(p[0], 9)
      expect(back[1]).toBeCloseTo(p[1], 9)
    }
  })
})

describe('10 km grid', () => {
  it('names cells like the national reference grid', () => {
    expect(l93CellCode(935_000, 6_445_000)).toBe('10kmL93E093N644')
    expect(l93CellCode(1_005_000, 6_445_000)).toBe('10kmL93E100N644')
  })

  it('covers the demo region with 10 km cells whose codes are unique', () => {
    const cells = l93GridCells([5.8, 44.5, 6.7, 45.2])
    const codes = new Set(cells.map((c) => c.code))
    expect(codes.size).toBe(cells.length)
    expect(cells.length).toBeGreaterThan(50)
    expect(cells.length).toBeLessThan(120)
    expect(codes.has(l93CellCodeAt([6.25, 44.85]))).toBe(true)
    for (const cell of cells) expect(cell.ring[0]).toEqual(cell.ring.at(-1))
  })
})
