import { Type } from 'typebox'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])
const NullableText = Nullable(Type.String())

export const taxonomyTags = ['taxonomy']

export const CdNomParams = Type.Object({ cdNom: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) })
export const ListIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) })

export const TaxonSearchQuery = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Start of a scientific or vernacular name, or first letters of its words ("alb alb")',
    }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    kingdom: Type.Optional(Type.String({ maxLength: 100, description: 'REGNE, e.g. Animalia' })),
    group2Inpn: Type.Optional(Type.String({ maxLength: 100, description: 'GROUP2_INPN, e.g. Mammifères' })),
    list: Type.Optional(Type.Integer({ minimum: 1, description: 'Only taxa of this taxon list' })),
  },
  { additionalProperties: false },
)

export const TaxonHit = Type.Object(
  {
    cd_nom: Type.Integer(),
    cd_ref: Type.Integer({ description: 'cd_nom of the valid name (= cd_nom for a valid name)' }),
    lb_nom: Type.String(),
    lb_auteur: NullableText,
    nom_valide: NullableText,
    nom_vern: NullableText,
    rang: Type.String(),
    regne: NullableText,
    group2_inpn: NullableText,
    matched: Type.Union([Type.Literal('scientific'), Type.Literal('vernacular')]),
    isValid: Type.Boolean(),
  },
  { title: 'TaxonHit' },
)

export const TaxonSummary = Type.Object(
  {
    cd_nom: Type.Integer(),
    cd_ref: Type.Integer(),
    lb_nom: Type.String(),
    lb_auteur: NullableText,
    nom_vern: NullableText,
    rang: Type.String(),
    regne: NullableText,
    group2_inpn: NullableText,
    isValid: Type.Boolean(),
  },
  { title: 'TaxonSummary' },
)

export const TaxonParent = Type.Object({
  cd_nom: Type.Integer(),
  lb_nom: Type.String(),
  lb_auteur: NullableText,
  nom_vern: NullableText,
  rang: Type.String(),
})

export const TaxonDetail = Type.Object(
  {
    cd_nom: Type.Integer(),
    cd_ref: Type.Integer(),
    cd_sup: Nullable(Type.Integer()),
    cd_taxsup: Nullable(Type.Integer()),
    rang: Type.String(),
    regne: NullableText,
    phylum: NullableText,
    classe: NullableText,
    ordre: NullableText,
    famille: NullableText,
    sous_famille: NullableText,
    tribu: NullableText,
    group1_inpn: NullableText,
    group2_inpn: NullableText,
    group3_inpn: NullableText,
    lb_nom: Type.String(),
    lb_auteur: NullableText,
    nom_complet: NullableText,
    nom_complet_html: NullableText,
    nom_valide: NullableText,
    nom_vern: NullableText,
    nom_vern_eng: NullableText,
    habitat: Nullable(Type.Integer()),
    fr: NullableText,
    url: NullableText,
    parent_cd_nom: Nullable(Type.Integer()),
    isValid: Type.Boolean(),
    parents: Type.Array(TaxonParent, { description: 'Parent chain, from the top down to the direct parent' }),
  },
  { title: 'Taxon' },
)

export const TaxonListSchema = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String(),
    name: Type.String(),
    description: NullableText,
    taxaCount: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { title: 'TaxonList' },
)

const Code = Type.String({
  pattern: '^[A-Za-z0-9_.-]{1,50}$',
  description: 'Stable code, 1–50 of A-Z a-z 0-9 _ . -',
})
const CdNoms = Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), {
  maxItems: 200_000,
  description: 'cd_nom of the taxa (replaces the list’s taxa)',
})
export const TaxonListCreate = Type.Object(
  {
    code: Code,
    name: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    cdNoms: Type.Optional(CdNoms),
  },
  { additionalProperties: false },
)
export const TaxonListUpdate = Type.Object(
  {
    code: Type.Optional(Code),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    cdNoms: Type.Optional(CdNoms),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const TaxonListImportBody = Type.Union([
  Type.String({ description: 'text/csv: one cd_nom per line, or a column named cd_nom' }),
  Type.Object({ cdNoms: CdNoms }, { additionalProperties: false }),
])
export const TaxonListImportQuery = Type.Object(
  {
    mode: Type.Union([Type.Literal('append'), Type.Literal('replace')], {
      default: 'append',
      description: 'append to the list’s taxa, or replace them',
    }),
  },
  { additionalProperties: false },
)
export const TaxonListImportResult = Type.Object(
  { list: TaxonListSchema, received: Type.Integer(), added: Type.Integer() },
  { title: 'TaxonListImportResult' },
)
