import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEMO_TAXREF_FILE } from '../../src/taxonomy/seed-demo-taxa.ts'
import { TAXREF_HEADER } from '../../src/taxonomy/taxref-format.ts'

export type TaxrefRow = Record<string, string>

/** The demo's real extract (8 species, no parent rows), as rows keyed by header name. */
export function demoRows(): TaxrefRow[] {
  const [header, ...lines] = readFileSync(DEMO_TAXREF_FILE, 'utf8').trimEnd().split('\n')
  const names = header!.split('\t')
  return lines.map((line) => Object.fromEntries(line.split('\t').map((v, i) => [names[i]!, v])))
}

const synth = (
  cdNom: number,
  rang: string,
  lbNom: string,
  extra: { cdSup?: number; cdRef?: number; [column: string]: string | number | undefined } = {},
): TaxrefRow => {
  const { cdSup, cdRef, ...rest } = extra
  const columns = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v ?? '')]))
  return {
    REGNE: 'Animalia',
    CD_NOM: String(cdNom),
    CD_REF: String(cdRef ?? cdNom),
    CD_SUP: cdSup === undefined ? '' : String(cdSup),
    CD_TAXSUP: cdSup === undefined ? '' : String(cdSup),
    RANG: rang,
    LB_NOM: lbNom,
    LB_AUTEUR: 'Synthauctor, 2026',
    NOM_COMPLET: `${lbNom} Synthauctor, 2026`,
    ...columns,
  }
}

const classification = {
  PHYLUM: 'Synthphylum',
  CLASSE: 'Synthclassis',
  ORDRE: 'Synthordo',
  FAMILLE: 'Synthidae',
  GROUP1_INPN: 'Arthropodes',
  GROUP2_INPN: 'Crustacés',
}

/**
 * SYNTHETIC test taxa (cd_nom from 90,000,001, far from real TAXREF ones): a full parent chain kingdom → subspecies,
 * a synonym, a family without parent rows whose species is linked only by the classification columns, and one
 * synonym of the demo's Alburnus alburnus to test ranking.
 */
export function syntheticRows(): TaxrefRow[] {
  return [
    synth(90000001, 'KD', 'Animalia'),
    synth(90000002, 'PH', 'Synthphylum', { cdSup: 90000001, PHYLUM: 'Synthphylum' }),
    synth(90000003, 'CL', 'Synthclassis', { cdSup: 90000002, PHYLUM: 'Synthphylum', CLASSE: 'Synthclassis' }),
    synth(90000004, 'OR', 'Synthordo', { cdSup: 90000003, ...classification, FAMILLE: '' }),
    synth(90000005, 'FM', 'Synthidae', { cdSup: 90000004, ...classification }),
    synth(90000006, 'GN', 'Synthgenus', { cdSup: 90000005, ...classification }),
    synth(90000007, 'ES', 'Synthgenus alpha', {
      cdSup: 90000006,
      ...classification,
      NOM_VERN: 'Écrevisse synthétique des prés',
    }),
    synth(90000008, 'ES', 'Synthgenus beta', {
      cdSup: 90000006,
      ...classification,
      NOM_VERN: 'Bécasse de Vorasil',
    }),
    synth(90000009, 'SSES', 'Synthgenus beta gamma', { cdSup: 90000008, ...classification }),
    synth(90000010, 'ES', 'Oldsynthgenus alpha', {
      cdRef: 90000007,
      ...classification,
      NOM_VALIDE: 'Synthgenus alpha Synthauctor, 2026',
    }),
    synth(90000011, 'FM', 'Synthoidae', { ...classification, FAMILLE: 'Synthoidae' }),
    synth(90000012, 'ES', 'Synthoides delta', { ...classification, FAMILLE: 'Synthoidae' }),
    synth(90000013, 'ES', 'Alburnus albisynthus', {
      cdRef: 67111,
      PHYLUM: 'Chordata',
      CLASSE: 'Actinopteri',
      GROUP2_INPN: 'Poissons',
      NOM_VALIDE: 'Alburnus alburnus (Linnaeus, 1758)',
    }),
  ]
}

/** Writes rows as a TAXREF text file (tab-separated, header first) in a temporary folder. */
export function writeTaxref(
  rows: TaxrefRow[],
  header: string[] = TAXREF_HEADER,
  name = 'taxref.txt',
): string {
  const dir = mkdtempSync(join(tmpdir(), 'taxref-'))
  const file = join(dir, name)
  writeFileSync(
    file,
    `${[header.join('\t'), ...rows.map((r) => header.map((h) => r[h] ?? '').join('\t'))].join('\n')}\n`,
  )
  return file
}

/** Writes raw text (for malformed files). */
export function writeRaw(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'taxref-')), 'taxref.txt')
  writeFileSync(file, text)
  return file
}
