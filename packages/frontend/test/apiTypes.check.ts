// Type-level checks of the API types generated from the OpenAPI document, run by `pnpm typecheck` (vue-tsc), not
// by vitest. They fail if the generation broke and the named aliases widened to `any` (every key would then be
// "present"), so that a field the API does not have could no longer fail the typecheck.
import type { ApiBody } from '../src/api/apiSchema.ts'
import type { Me, ModuleSummary, Scope } from '../src/api/types.ts'
import type { ObservationItem, ObservationSheetData } from '../src/pages/synthese/syntheseApi.ts'

type Has<T, K extends PropertyKey> = K extends keyof T ? true : false
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

export const apiTypeChecks: [
  Has<ObservationItem, 'cdNom'>,
  Has<ObservationItem, 'notAnApiField'>,
  Has<ObservationSheetData, 'validationHistory'>,
  Has<Me, 'login'>,
  Has<Me, 'password'>,
  Same<Scope, 1 | 2 | 3>,
  Has<ModuleSummary['grants'], 'V'>,
  Has<ApiBody<'/api/occtax/releves', 'post'>, 'occurrences'>,
  Has<ApiBody<'/api/occtax/releves', 'post'>, 'id'>,
] = [true, false, true, true, false, true, true, true, false]
