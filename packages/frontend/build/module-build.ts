import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import type { UserConfig } from 'vite'
import { forbidOpenLayersImportsPlugin } from './forbid-ol-imports-plugin.ts'
import { SHARED_SPECIFIERS } from './shared-packages.ts'

export interface ModuleUiBuildOptions {
  /** The module package directory (e.g. `packages/module-occtax`). */
  moduleDir: string
  /** Entry, relative to moduleDir. Default `frontend/index.ts`. */
  entry?: string
}

/**
 * Vite library-mode config for a module UI: one ES module `dist/frontend/index.js` plus `style.css`,
 * with vue, pinia, vue-router and @biodiv/sdk left as bare imports for the shell's import map.
 */
export function createModuleUiBuildConfig(options: ModuleUiBuildOptions): UserConfig {
  const moduleDir = resolve(options.moduleDir)
  return {
    root: resolve(moduleDir, 'frontend'),
    publicDir: false,
    plugins: [forbidOpenLayersImportsPlugin(), vue()],
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: resolve(moduleDir, 'dist/frontend'),
      emptyOutDir: true,
      copyPublicDir: false,
      sourcemap: true,
      lib: {
        entry: resolve(moduleDir, options.entry ?? 'frontend/index.ts'),
        formats: ['es'],
        fileName: () => 'index.js',
        cssFileName: 'style',
      },
      rolldownOptions: {
        external: (id) => SHARED_SPECIFIERS.some((s) => id === s || id.startsWith(`${s}/`)),
      },
    },
  }
}
