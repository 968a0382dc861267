/** What a running job says it is doing (`step` of GET /imports/:id), in the UI's words; unknown ones as given. */
const STEP_LABELS: Record<string, string> = {
  queued: 'En attente de démarrage',
  load: 'Lecture du fichier',
  check: 'Contrôle des lignes',
  duplicates: 'Recherche des doublons',
  errors: 'Rapport d’erreurs',
  finalize: 'Import dans la synthèse',
  insert: 'Écriture dans la synthèse',
}

export function jobStepLabel(step: string | null | undefined): string | null {
  if (!step) return null
  return STEP_LABELS[step] ?? STEP_LABELS[step.split(/[:\s]/)[0] ?? ''] ?? step
}

/** The failure of the last job, as text (the API gives `{ step, code, message }`). */
export function failureText(failure: unknown): string | null {
  if (!failure) return null
  if (typeof failure === 'string') return failure
  const f = failure as { code?: string; message?: string; step?: string }
  return [f.message, f.code ? `(${f.code})` : null].filter(Boolean).join(' ') || null
}
