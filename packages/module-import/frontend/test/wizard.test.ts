import { describe, expect, it } from 'vitest'
import type { TargetField } from '../api/types.ts'
import {
  formFromMapping,
  mappingFromForm,
  missingRequired,
  unusedColumns,
} from '../wizard/fieldMappingForm.ts'
import { openableSteps, resumeStep } from '../wizard/steps.ts'

const at = (status: Parameters<typeof resumeStep>[0]['status'], step: string | null = null) => ({
  status,
  step,
  failure: null,
})

describe('the step an import resumes at', () => {
  it('follows the status', () => {
    expect(resumeStep(at('uploaded'))).toBe('decode')
    expect(resumeStep(at('decoded'))).toBe('fields')
    expect(resumeStep(at('field_mapped'))).toBe('content')
    expect(resumeStep(at('content_mapped'))).toBe('check')
    expect(resumeStep(at('checking'))).toBe('check')
    expect(resumeStep(at('checked'))).toBe('report')
    expect(resumeStep(at('importing'))).toBe('report')
    expect(resumeStep(at('imported'))).toBe('done')
  })

  it('sends a failed check back to the checks and a failed finalize back to the report', () => {
    expect(resumeStep(at('failed', 'load'))).toBe('check')
    expect(
      resumeStep({ status: 'failed', step: null, failure: { step: 'finalize', code: 'X', message: 'x' } }),
    ).toBe('report')
  })

  it('lets done steps be reopened unless a job runs or the import is finished', () => {
    expect(openableSteps(at('field_mapped'))).toEqual(['decode', 'fields', 'content'])
    expect(openableSteps(at('checked'))).toEqual(['decode', 'fields', 'content', 'check', 'report'])
    expect(openableSteps(at('checking'))).toEqual(['check'])
    expect(openableSteps(at('imported'))).toEqual(['done'])
  })
})

const target = (name: string, group: string, required = false): TargetField => ({
  name,
  label: name,
  type: 'text',
  group,
  required,
})
const FIELDS = [
  target('cdNom', 'taxon', true),
  target('nomCite', 'taxon', true),
  target('dateMin', 'dates', true),
  target('datasetUuid', 'identifiers'),
  target('wkt', 'geometry'),
  target('x', 'geometry'),
  target('y', 'geometry'),
]
const SOURCES = [['wkt'], ['x', 'y']]

describe('the field mapping form', () => {
  it('keeps the columns of the file and constants, drops columns the file lacks', () => {
    const form = formFromMapping(
      FIELDS,
      {
        cdNom: { column: 'cd_nom', aliases: ['cdnom'] },
        nomCite: { column: 'absent' },
        dateMin: { constant: '2024-01-01' },
      },
      ['cd_nom', 'nom_cite', 'wkt'],
    )
    expect(mappingFromForm(form)).toEqual({
      cdNom: { column: 'cd_nom' },
      dateMin: { constant: '2024-01-01' },
    })
    expect(unusedColumns(form, ['cd_nom', 'nom_cite', 'wkt', ''])).toEqual(['nom_cite', 'wkt'])
  })

  it('names the missing required fields as the server does', () => {
    const form = formFromMapping(FIELDS, { cdNom: { column: 'a' }, x: { column: 'b' } }, ['a', 'b'])
    expect(missingRequired(form, FIELDS, SOURCES, false)).toEqual(['nomCite', 'dateMin', 'datasetUuid', 'y'])
    const full = formFromMapping(
      FIELDS,
      { cdNom: { column: 'a' }, nomCite: { column: 'a' }, dateMin: { column: 'a' }, wkt: { column: 'a' } },
      ['a'],
    )
    expect(missingRequired(full, FIELDS, SOURCES, true)).toEqual([])
    expect(missingRequired(formFromMapping(FIELDS, null, []), FIELDS, SOURCES, true)).toContain('geometry')
  })
})
