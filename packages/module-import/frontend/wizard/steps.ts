import type { ImportItem, ImportStatus } from '../api/types.ts'

/** The wizard's steps, in order. The upload step has no import yet (page `import-new`). */
export const WIZARD_STEPS = [
  { key: 'upload', label: 'Fichier' },
  { key: 'decode', label: 'Lecture' },
  { key: 'fields', label: 'Champs' },
  { key: 'content', label: 'Valeurs' },
  { key: 'check', label: 'Contrôles' },
  { key: 'report', label: 'Rapport' },
  { key: 'done', label: 'Import' },
] as const

export type WizardStep = (typeof WIZARD_STEPS)[number]['key']

export const STATUS_LABELS: Record<ImportStatus, string> = {
  uploaded: 'Fichier déposé',
  decoded: 'Lecture confirmée',
  field_mapped: 'Champs associés',
  content_mapped: 'Valeurs associées',
  checking: 'Contrôles en cours',
  checked: 'Contrôlé',
  importing: 'Import en cours',
  imported: 'Importé',
  failed: 'En échec',
}

/** Statuses during which a background job owns the import (the UI polls it). */
export const RUNNING_STATUSES: readonly ImportStatus[] = ['checking', 'importing']

/** Statuses whose earlier steps the user may still change (the API's editable ones). */
export const EDITABLE_STATUSES: readonly ImportStatus[] = [
  'uploaded',
  'decoded',
  'field_mapped',
  'content_mapped',
  'checked',
  'failed',
]

/** A failed job's step: a failed finalize goes back to the report, anything else to the checks. */
const failedStep = (item: Pick<ImportItem, 'failure' | 'step'>): WizardStep =>
  /finali|insert/i.test(`${item.failure?.step ?? ''} ${item.step ?? ''}`) ? 'report' : 'check'

/** The step where an import resumes: the first one its status has not completed. */
export function resumeStep(item: Pick<ImportItem, 'status' | 'failure' | 'step'>): WizardStep {
  switch (item.status) {
    case 'uploaded':
      return 'decode'
    case 'decoded':
      return 'fields'
    case 'field_mapped':
      return 'content'
    case 'content_mapped':
    case 'checking':
      return 'check'
    case 'checked':
    case 'importing':
      return 'report'
    case 'imported':
      return 'done'
    case 'failed':
      return failedStep(item)
  }
}

export const stepIndex = (step: WizardStep): number => WIZARD_STEPS.findIndex((s) => s.key === step)

/**
 * The steps the user may open for an import: every step up to where it resumes, except while a job runs or once it
 * is imported (then only the resume step).
 */
export function openableSteps(item: Pick<ImportItem, 'status' | 'failure' | 'step'>): WizardStep[] {
  const resume = resumeStep(item)
  if (!EDITABLE_STATUSES.includes(item.status)) return [resume]
  return WIZARD_STEPS.slice(1, stepIndex(resume) + 1).map((s) => s.key)
}
