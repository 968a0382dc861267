import { createPinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from 'vue'
import { createMemoryHistory } from 'vue-router'
import type { ModuleSummary } from '../src/api/types.ts'
import { defineModuleUi } from '../src/modules/defineModuleUi.ts'
import { installModuleUis, uninstallModuleUis } from '../src/modules/installModuleUis.ts'
import { useModuleUiStore } from '../src/modules/moduleUiStore.ts'
import { useNoticeStore } from '../src/notices/noticeStore.ts'
import { createAppRouter } from '../src/router.ts'

const modules: ModuleSummary[] = [
  {
    code: 'OCCTAX',
    name: 'Occtax',
    version: '1.0.0',
    frontend: { entry: '/modules/occtax/index.js', style: null, label: 'Relevés', icon: 'binoculars' },
    grants: { C: 1, R: 3 },
  },
  {
    code: 'IMPORT',
    name: 'Import',
    version: '1.0.0',
    frontend: { entry: '/modules/import/index.js', style: null, label: 'Import', icon: 'upload' },
    grants: { R: 3 },
  },
]

afterEach(() => vi.restoreAllMocks())

describe('installModuleUis', () => {
  it('registers the routes of the modules that load and reports the broken one in a notice', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      new Response(JSON.stringify(modules), { status: 200, headers: { 'content-type': 'application/json' } }),
    )
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    const pinia = createPinia()
    const app = createApp({ render: () => null }).use(pinia)
    const router = createAppRouter(createMemoryHistory())
    const page = { render: () => null }
    const importModule = async (url: string) => {
      if (url === '/modules/occtax/index.js') {
        return { default: defineModuleUi({ routes: [{ path: '/', name: 'occtax-home', component: page }] }) }
      }
      throw new SyntaxError('Unexpected end of input')
    }

    await installModuleUis({ app, router, pinia, importModule })

    expect(router.resolve('/occtax').name).toBe('occtax-home')
    expect(router.resolve('/occtax').meta.moduleCode).toBe('OCCTAX')
    expect(router.resolve('/import').name).toBe('not-found')
    expect(useModuleUiStore(pinia).menuEntries).toEqual([
      { code: 'OCCTAX', label: 'Relevés', icon: 'binoculars', to: '/occtax' },
    ])
    const notices = useNoticeStore(pinia).notices
    expect(notices).toHaveLength(1)
    expect(notices[0]!.message).toContain('Import')
    expect(notices[0]!.detail).toContain('SyntaxError')
    expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('IMPORT'))

    uninstallModuleUis(router, pinia)
    expect(router.resolve('/occtax').name).toBe('not-found')
    expect(useModuleUiStore(pinia).menuEntries).toEqual([])
  })
})
