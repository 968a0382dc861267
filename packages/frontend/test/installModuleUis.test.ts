import { createPinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { ModuleSummary } from '../src/api/types.ts'
import { defineModuleUi } from '../src/modules/defineModuleUi.ts'
import { installModuleUis, uninstallModuleUis } from '../src/modules/installModuleUis.ts'
import { SHELL_ROUTE_NAME } from '../src/modules/moduleRoutes.ts'
import { useModuleUiStore } from '../src/modules/moduleUiStore.ts'
import { useNoticeStore } from '../src/notices/noticeStore.ts'

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

const blank = { render: () => null }

/** The shell's route shape: a layout route named `shell` with a catch-all child. */
function shellRouter() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      {
        path: '/',
        name: SHELL_ROUTE_NAME,
        component: blank,
        children: [{ path: ':pathMatch(.*)*', name: 'not-found', component: blank }],
      },
    ],
  })
}

describe('installModuleUis', () => {
  it('registers the routes of the modules that load and reports the broken one in a notice', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      new Response(JSON.stringify(modules), { status: 200, headers: { 'content-type': 'application/json' } }),
    )
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    const pinia = createPinia()
    const app = createApp({ render: () => null }).use(pinia)
    const router = shellRouter()
    const importModule = async (url: string) => {
      if (url === '/modules/occtax/index.js') {
        return { default: defineModuleUi({ routes: [{ path: '/', name: 'occtax-home', component: blank }] }) }
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
