import type { CruvedAction, Grants, Scope } from '../api/types.ts'

export const CRUVED_ACTIONS: readonly CruvedAction[] = ['C', 'R', 'U', 'V', 'E', 'D']

export const ACTION_LABELS: Record<CruvedAction, string> = {
  C: 'Créer',
  R: 'Lire',
  U: 'Modifier',
  V: 'Valider',
  E: 'Exporter',
  D: 'Supprimer',
}

export const SCOPE_LABELS: Record<Scope, string> = {
  1: 'mes données',
  2: 'mon organisme',
  3: 'toutes',
}

export function scopeLabel(scope: Scope | undefined): string {
  return scope === undefined ? 'non autorisé' : SCOPE_LABELS[scope]
}

/** True when `grants` allow `action` with at least `minScope` (1 = any scope). */
export function can(grants: Grants, action: CruvedAction, minScope: Scope = 1): boolean {
  const scope = grants[action]
  return scope !== undefined && scope >= minScope
}
