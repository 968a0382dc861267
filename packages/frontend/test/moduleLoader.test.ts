import { describe, expect, it } from 'vitest'
import type { ModuleSummary } from '../src/api/types.ts'
import { defineModuleUi } from '../src/modules/defineModuleUi.ts'
import { loadModuleUis } from '../src/modules/moduleLoader.ts'

function moduleSummary(code: string, withFrontend = true): ModuleSummary {
  const lower = code.toLowerCase()
  return {
    code,
    name: code,
    version: '1.0.0',
    frontend: withFrontend
      ? { entry: `/modules/${lower}/index.js`, style: null, label: code, icon: 'puzzle' }
      : null,
    grants: { R: 3 },
  }
}

const goodUi = defineModuleUi({ routes: [{ path: '', component: { render: () => null } }] })

const bundles: Record<string, () => Promise<unknown>> = {
  '/modules/good/index.js': async () => ({ default: goodUi }),
  '/modules/missing/index.js': async () => {
    throw new TypeError('Failed to fetch dynamically imported module: /modules/missing/index.js')
  },
  '/modules/syntax/index.js': async () => {
    throw new SyntaxError("Unexpected token '}'")
  },
  '/modules/wrongexport/index.js': async () => ({ default: { routes: 'nope' } }),
  '/modules/hangs/index.js': () => new Promise(() => {}),
}
const importModule = (url: string) => bundles[url]!()

describe('loadModuleUis', () => {
  it('loads the good module and reports each broken bundle with its reason, without throwing', async () => {
    const modules = ['GOOD', 'MISSING', 'SYNTAX', 'WRONGEXPORT'].map((c) => moduleSummary(c))
    const result = await loadModuleUis(modules, { importModule })

    expect(result.loaded.map((l) => l.module.code)).toEqual(['GOOD'])
    expect(result.loaded[0]!.ui).toBe(goodUi)
    expect(Object.fromEntries(result.failed.map((f) => [f.module.code, f.reason]))).toEqual({
      MISSING: expect.stringContaining('Failed to fetch dynamically imported module'),
      SYNTAX: expect.stringContaining('SyntaxError'),
      WRONGEXPORT: expect.stringContaining('defineModuleUi'),
    })
  })

  it('skips modules without a frontend and gives up on a bundle that never settles', async () => {
    const modules = [moduleSummary('NOUI', false), moduleSummary('HANGS'), moduleSummary('GOOD')]
    const result = await loadModuleUis(modules, { importModule, timeoutMs: 20 })

    expect(result.loaded.map((l) => l.module.code)).toEqual(['GOOD'])
    expect(result.failed.map((f) => f.module.code)).toEqual(['HANGS'])
    expect(result.failed[0]!.reason).toContain('délai')
  })
})
