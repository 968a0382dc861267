import type { ModuleSummary } from '../api/types.ts'
import { type ModuleUi, moduleUiProblem } from './defineModuleUi.ts'

export interface LoadedModuleUi {
  module: ModuleSummary
  ui: ModuleUi
}

export interface ModuleUiFailure {
  module: ModuleSummary
  reason: string
}

export interface ModuleUiLoadResult {
  loaded: LoadedModuleUi[]
  failed: ModuleUiFailure[]
}

export interface ModuleLoaderDeps {
  /** Imports an ES module by URL: `(url) => import(url)` in the browser. */
  importModule: (url: string) => Promise<unknown>
  /** Gives up on a bundle that does not settle in time. Default 15 s. */
  timeoutMs?: number
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} : délai de ${ms} ms dépassé`)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}

async function loadOne(module: ModuleSummary, deps: ModuleLoaderDeps): Promise<LoadedModuleUi> {
  const entry = module.frontend!.entry
  const namespace = await withTimeout(deps.importModule(entry), deps.timeoutMs ?? 15_000, entry)
  const exported = (namespace as { default?: unknown } | null)?.default
  const problem = moduleUiProblem(exported)
  if (problem) throw new Error(`${entry} : ${problem}`)
  return { module, ui: exported as ModuleUi }
}

/**
 * Imports the UI bundle of every module that has one, in parallel. A bundle that fails (404, syntax error,
 * throws while evaluating, wrong export) becomes a failure; the others load normally. Order follows `modules`.
 */
export async function loadModuleUis(
  modules: readonly ModuleSummary[],
  deps: ModuleLoaderDeps,
): Promise<ModuleUiLoadResult> {
  const withUi = modules.filter((m) => m.frontend !== null)
  const settled = await Promise.allSettled(withUi.map((m) => loadOne(m, deps)))
  const result: ModuleUiLoadResult = { loaded: [], failed: [] }
  settled.forEach((outcome, i) => {
    const module = withUi[i]!
    if (outcome.status === 'fulfilled') result.loaded.push(outcome.value)
    else result.failed.push({ module, reason: describe(outcome.reason) })
  })
  return result
}
