/**
 * The SINP sensitivity levels (nomenclature SENSIBILITE, codes 0–4) as the UI names them: the SINP label, and what
 * the level blurs a location to (ADR 15: 1 the commune, 2 the INPN 10 km cell, 3 the département, 4 not shown).
 * Pure functions, no SDK import: unit-tested, and used by the Synthèse, Occtax and Validation.
 */
export interface SensitivityLevel {
  level: number
  /** The SINP label of the SENSIBILITE value. */
  label: string
  /** What a blurred location becomes, in a few words. */
  blur: string
}

export const SENSITIVITY_LEVELS: readonly SensitivityLevel[] = [
  { level: 0, label: 'Non sensible - Diffusion précise', blur: 'diffusion précise' },
  { level: 1, label: 'Sensible - Diffusion à la Commune ou Znieff', blur: 'commune' },
  { level: 2, label: 'Sensible - Diffusion à la maille 10km', blur: 'maille 10 km' },
  { level: 3, label: 'Sensible - Diffusion au département', blur: 'département' },
  { level: 4, label: 'Sensible - Aucune diffusion', blur: 'aucune diffusion' },
]

const byLevel = (level: number) => SENSITIVITY_LEVELS.find((l) => l.level === level)

/** The SINP label of a level ("Sensible - Diffusion à la maille 10km"); `Niveau n` for an unknown one. */
export const sensitivityLabel = (level: number): string => byLevel(level)?.label ?? `Niveau ${level}`

/** A short sentence for a badge or a line: "Non sensible", "Sensible (niveau 2 : maille 10 km)". */
export function sensitivityText(level: number): string {
  if (level <= 0) return 'Non sensible'
  const known = byLevel(level)
  return known ? `Sensible (niveau ${level} : ${known.blur})` : `Sensible (niveau ${level})`
}
