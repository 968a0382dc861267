import { once } from 'node:events'
import { createWriteStream, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { TAXREF_HEADER } from './taxref-format.ts'

/**
 * A synthetic TAXREF-shaped file for benchmarks and tests: clearly synthetic names ("…synth" genera spread over the
 * alphabet like real ones, "Synth…" families, orders, classes, phyla; cd_nom from 10,000,000, far above the real TAXREF range), under the three real kingdoms with real INPN
 * group labels, a full parent chain (phylum → class → order → family → genus → species → subspecies), about one
 * synonym for four species (cd_ref ≠ cd_nom, often in another genus), and French vernacular names with accents
 * (invented place names keep them recognisably synthetic). Deterministic for a given size and seed.
 */

const FIRST_CD_NOM = 10_000_000
const SYLLABLES =
  'ba be bi bo bu da de di do du fa fe fi fo ga ge gi go ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi vo za ze zi zo'.split(
    ' ',
  )
const EPITHET_ENDINGS = ['a', 'us', 'is', 'um', 'ensis', 'ata', 'ii', 'ica']
const KINGDOMS = [
  {
    name: 'Animalia',
    groups: [
      ['Chordés', 'Mammifères'],
      ['Chordés', 'Oiseaux'],
      ['Chordés', 'Amphibiens'],
      ['Chordés', 'Poissons'],
      ['Arthropodes', 'Insectes'],
      ['Arthropodes', 'Arachnides'],
      ['Arthropodes', 'Crustacés'],
      ['Mollusques', 'Gastéropodes'],
    ],
    nouns: [
      'Écrevisse',
      'Grenouille',
      'Mésange',
      'Bécasse',
      'Chouette',
      'Libellule',
      'Araignée',
      'Cigale',
      'Hérisson',
      'Éphémère',
      'Scarabée',
      'Truite',
      'Épeire',
      'Fauvette',
      'Gobemouche',
      'Crapaud',
    ],
  },
  {
    name: 'Plantae',
    groups: [
      ['Trachéophytes', 'Angiospermes'],
      ['Trachéophytes', 'Fougères'],
      ['Bryophytes', 'Mousses'],
    ],
    nouns: [
      'Orchidée',
      'Fougère',
      'Gentiane',
      'Œillet',
      'Renoncule',
      'Saxifrage',
      'Pâquerette',
      'Épilobe',
      'Bruyère',
      'Achillée',
    ],
  },
  {
    name: 'Fungi',
    groups: [
      ['Ascomycètes', 'Ascomycètes'],
      ['Basidiomycètes', 'Basidiomycètes'],
    ],
    nouns: ['Bolet', 'Amanite', 'Pézize', 'Lépiote', 'Cèpe', 'Russule'],
  },
] as const
const ADJECTIVES = [
  'à pieds blancs',
  'boréale',
  'élégante',
  'des prés',
  'des forêts',
  'rousse',
  'dorée',
  'à œil vert',
  'fétide',
  'épineuse',
  'des rivières',
  'pâle',
  'à ailes brunes',
  'méridionale',
  'grêle',
  'naine',
]

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export async function generateSyntheticTaxref(file: string, names: number, seed = 42): Promise<number> {
  const random = prng(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const syllables = (n: number) => Array.from({ length: n }, () => pick(SYLLABLES)).join('')
  /** Syllables spelling an integer (bijective base-64): unique names for unique indexes. */
  const spell = (i: number) => {
    let s = ''
    let n = i + 1
    while (n > 0) {
      n--
      s = SYLLABLES[n % SYLLABLES.length] + s
      n = Math.floor(n / SYLLABLES.length)
    }
    return s
  }
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
  const place = () => capital(syllables(2 + Math.floor(random() * 2)))
  const author = () => `${capital(syllables(2))}, ${1758 + Math.floor(random() * 260)}`

  mkdirSync(dirname(resolve(file)), { recursive: true })
  const out = createWriteStream(file)
  let buffer = `${TAXREF_HEADER.join('\t')}\n`
  let written = 0
  let next = FIRST_CD_NOM
  const flush = async () => {
    if (!out.write(buffer)) await once(out, 'drain')
    buffer = ''
  }

  type Classification = {
    regne: string
    phylum: string
    classe: string
    ordre: string
    famille: string
    g1: string
    g2: string
  }
  const row = async (
    c: Partial<Classification> & { regne: string },
    t: {
      cdNom: number
      cdRef: number
      cdSup: number | null
      rang: string
      lbNom: string
      lbAuteur: string
      nomValide: string
      nomVern?: string
      nomVernEng?: string
    },
  ) => {
    const nomComplet = `${t.lbNom} ${t.lbAuteur}`
    const italic = ['GN', 'ES', 'SSES'].includes(t.rang)
    const values: Record<string, string> = {
      REGNE: c.regne,
      PHYLUM: c.phylum ?? '',
      CLASSE: c.classe ?? '',
      ORDRE: c.ordre ?? '',
      FAMILLE: c.famille ?? '',
      SOUS_FAMILLE: '',
      TRIBU: '',
      GROUP1_INPN: c.g1 ?? '',
      GROUP2_INPN: c.g2 ?? '',
      GROUP3_INPN: '',
      CD_NOM: String(t.cdNom),
      CD_TAXSUP: t.cdSup === null ? '' : String(t.cdSup),
      CD_SUP: t.cdSup === null ? '' : String(t.cdSup),
      CD_REF: String(t.cdRef),
      RANG: t.rang,
      LB_NOM: t.lbNom,
      LB_AUTEUR: t.lbAuteur,
      NOM_COMPLET: nomComplet,
      NOM_COMPLET_HTML: italic ? `<i>${t.lbNom}</i> ${t.lbAuteur}` : nomComplet,
      NOM_VALIDE: t.nomValide,
      NOM_VERN: t.nomVern ?? '',
      NOM_VERN_ENG: t.nomVernEng ?? '',
      HABITAT: String(pick([1, 2, 3, 3, 3, 7])),
      FR: pick(['P', 'P', 'P', 'E', 'B']),
      URL: '',
    }
    buffer += `${TAXREF_HEADER.map((h) => values[h]).join('\t')}\n`
    written++
    if (buffer.length > 1 << 20) await flush()
  }
  const valid = async (
    c: Classification | { regne: string },
    cdSup: number | null,
    rang: string,
    lbNom: string,
    extra: { nomVern?: string; nomVernEng?: string } = {},
  ) => {
    const cdNom = next++
    const lbAuteur = author()
    await row(c, {
      cdNom,
      cdRef: cdNom,
      cdSup,
      rang,
      lbNom,
      lbAuteur,
      nomValide: `${lbNom} ${lbAuteur}`,
      ...extra,
    })
    return { cdNom, lbNom, nomValide: `${lbNom} ${lbAuteur}` }
  }

  // The upper ranks: 3 kingdoms × 4 phyla × 4 classes × 6 orders × 8 families.
  const families: { cdNom: number; c: Classification; nouns: readonly string[] }[] = []
  let index = 0
  for (const k of KINGDOMS) {
    const kingdom = await valid({ regne: k.name }, null, 'KD', k.name)
    for (let p = 0; p < 4; p++) {
      const phylum = `Synthphylum${capital(spell(index++))}`
      const ph = await valid({ regne: k.name, phylum }, kingdom.cdNom, 'PH', phylum)
      for (let cl = 0; cl < 4; cl++) {
        const [g1, g2] = k.groups[(p * 4 + cl) % k.groups.length]!
        const classe = `Synthclassis${capital(spell(index++))}`
        const cls = await valid({ regne: k.name, phylum, classe }, ph.cdNom, 'CL', classe)
        for (let o = 0; o < 6; o++) {
          const ordre = `Synthordo${capital(spell(index++))}`
          const ord = await valid({ regne: k.name, phylum, classe, ordre }, cls.cdNom, 'OR', ordre)
          for (let f = 0; f < 8; f++) {
            const famille = `Synth${capital(spell(index++))}idae`
            const c = { regne: k.name, phylum, classe, ordre, famille, g1, g2 }
            const fam = await valid(c, ord.cdNom, 'FM', famille)
            families.push({ cdNom: fam.cdNom, c, nouns: k.nouns })
          }
        }
      }
    }
  }

  // Genera with their species, subspecies and synonyms, spread over the families, until the size is reached.
  let genusIndex = 0
  let previousGenus = 'Synthgenus'
  while (written < names) {
    const family = families[genusIndex % families.length]!
    const genusName = `${capital(spell(genusIndex++))}${syllables(1)}synth`
    const genus = await valid(family.c, family.cdNom, 'GN', genusName)
    const species = 6 + Math.floor(random() * 12)
    for (let s = 0; s < species && written < names; s++) {
      const epithet = syllables(1 + Math.floor(random() * 3)) + pick(EPITHET_ENDINGS)
      const vernacular =
        random() < 0.4
          ? [
              `${pick(family.nouns)} ${pick(ADJECTIVES)} de ${place()}`,
              ...(random() < 0.2 ? [`${pick(family.nouns)} de ${place()}`] : []),
            ].join(', ')
          : undefined
      const sp = await valid(family.c, genus.cdNom, 'ES', `${genusName} ${epithet}`, {
        nomVern: vernacular,
        nomVernEng:
          random() < 0.2
            ? `${capital(place())} ${pick(['frog', 'beetle', 'fern', 'moss', 'bolete', 'warbler'])}`
            : undefined,
      })
      if (random() < 0.05 && written < names) {
        await valid(family.c, sp.cdNom, 'SSES', `${sp.lbNom} ${syllables(2)}${pick(EPITHET_ENDINGS)}`)
      }
      // Synonyms: the same epithet in the previous genus, or a misspelling, pointing to the valid name.
      const synonyms = random() < 0.25 ? 1 + Math.floor(random() * 2) : 0
      for (let y = 0; y < synonyms && written < names; y++) {
        const lbNom =
          y === 0 ? `${previousGenus} ${epithet}` : `${genusName} ${epithet}${pick(['ii', 'a', 'is'])}`
        await row(family.c, {
          cdNom: next++,
          cdRef: sp.cdNom,
          cdSup: null,
          rang: 'ES',
          lbNom,
          lbAuteur: author(),
          nomValide: sp.nomValide,
          nomVern: vernacular,
        })
      }
    }
    previousGenus = genusName
  }
  await flush()
  out.end()
  await once(out, 'finish')
  return written
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      names: { type: 'string', default: '600000' },
      out: { type: 'string' },
      seed: { type: 'string', default: '42' },
    },
  })
  const names = Number(values.names)
  if (!Number.isInteger(names) || names < 200) throw new Error('--names must be an integer ≥ 200')
  const out = values.out ?? `.data/taxref-synthetic-${names}.txt`
  const started = performance.now()
  generateSyntheticTaxref(out, names, Number(values.seed)).then((n) => {
    process.stderr.write(
      `${n} synthetic TAXREF names written to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    )
  })
}
