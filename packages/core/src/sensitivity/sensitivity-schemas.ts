import { type Static, Type } from 'typebox'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])
/** PostgreSQL integer ids: a larger number is a 400, never an out-of-range 500. */
const INT4 = 2147483647

export const CRITERION_TYPES = ['STATUT_BIO', 'OCC_COMPORTEMENT'] as const
export type CriterionType = (typeof CRITERION_TYPES)[number]

export const Level = Type.Integer({
  minimum: 0,
  maximum: 4,
  description: 'SINP sensitivity level (SENSIBILITE code): 0 precise … 4 not shown at all',
})

export const RuleCriterion = Type.Object(
  {
    type: Type.Union([Type.Literal('STATUT_BIO'), Type.Literal('OCC_COMPORTEMENT')], {
      description: 'nomenclature type of the criterion',
    }),
    code: Type.String({ minLength: 1, maxLength: 20, description: 'SINP code (cd_nomenclature)' }),
  },
  { additionalProperties: false },
)

/** What a client sends to create a rule or replace one (PUT replaces the whole rule). */
export const RuleBody = Type.Object(
  {
    cdNom: Type.Integer({
      minimum: 1,
      maximum: INT4,
      description: 'TAXREF cd_nom; the rule applies to it and every name below it',
    }),
    nomCite: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    level: Level,
    durationYears: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 1,
          maximum: 10000,
          description: 'the rule applies to observations at most this many years old; null: always',
        }),
      ),
    ),
    periodStart: Type.Optional(
      Nullable(
        Type.String({ maxLength: 10, description: 'start of the period of the year, MMDD (e.g. 1101)' }),
      ),
    ),
    periodEnd: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 10,
          description: 'end of the period, MMDD; before the start: wraps the new year',
        }),
      ),
    ),
    active: Type.Optional(Type.Boolean({ default: true })),
    source: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    comment: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
    areaIds: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: INT4 }), {
        uniqueItems: true,
        maxItems: 2000,
        description: 'ref_geo area ids: the rule applies only within them (none: everywhere)',
      }),
    ),
    criteria: Type.Optional(
      Type.Array(RuleCriterion, {
        maxItems: 50,
        description: 'biological statuses / behaviours; the rule applies when one matches (none: always)',
      }),
    ),
  },
  { additionalProperties: false, title: 'SensitivityRuleInput' },
)
export type RuleInput = Static<typeof RuleBody>

export const RuleSchema = Type.Object(
  {
    id: Type.Integer(),
    cdNom: Type.Integer(),
    nomCite: Nullable(Type.String()),
    taxon: Type.Object({
      lbNom: Type.String(),
      nomVern: Nullable(Type.String()),
      rang: Type.String(),
    }),
    level: Level,
    levelLabel: Type.String(),
    durationYears: Nullable(Type.Integer()),
    periodStart: Nullable(Type.String()),
    periodEnd: Nullable(Type.String()),
    active: Type.Boolean(),
    source: Nullable(Type.String()),
    comment: Nullable(Type.String()),
    areas: Type.Array(
      Type.Object({ id: Type.Integer(), type: Type.String(), code: Type.String(), name: Type.String() }),
    ),
    criteria: Type.Array(Type.Object({ type: Type.String(), code: Type.String(), label: Type.String() })),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { title: 'SensitivityRule' },
)
export type SensitivityRule = Static<typeof RuleSchema>

export const RuleQuery = Type.Object(
  {
    cdNom: Type.Optional(
      Type.Integer({ minimum: 1, maximum: INT4, description: 'rules on this taxon or on a name below it' }),
    ),
    level: Type.Optional(Level),
    active: Type.Optional(Type.Boolean()),
    source: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: INT4, default: 0 }),
  },
  { additionalProperties: false },
)
export type RuleFilter = Static<typeof RuleQuery>

export const RulePage = Type.Object(
  {
    items: Type.Array(RuleSchema),
    total: Type.Integer({ description: 'rules matching the filters' }),
    limit: Type.Integer(),
    offset: Type.Integer(),
  },
  { title: 'SensitivityRulePage' },
)

const Recomputed = Type.Integer({
  description: 'observations whose sensitivity level changed (recomputed by the synthese trigger)',
})

export const RuleChange = Type.Object(
  { rule: RuleSchema, recomputed: Recomputed },
  { title: 'SensitivityRuleChange' },
)
export const RuleDeleted = Type.Object(
  { id: Type.Integer(), recomputed: Recomputed },
  { title: 'SensitivityRuleDeleted' },
)

export const RuleIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: INT4 }) })
