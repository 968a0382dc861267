import { fileURLToPath } from 'node:url'
// Relative on purpose: Vite bundles relative imports of a config file but not the TypeScript of linked packages.
import { createModuleUiBuildConfig } from '../../frontend/build/module-build.ts'

export default createModuleUiBuildConfig({ moduleDir: fileURLToPath(new URL('..', import.meta.url)) })
