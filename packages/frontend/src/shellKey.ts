import type { InjectionKey } from 'vue'

/** Shell services the pages need but modules do not. */
export interface ShellServices {
  /** (Re)loads the module UIs for the signed-in user. */
  loadModules(): Promise<void>
  /** Removes every module route (after logout). */
  unloadModules(): void
}

export const SHELL_KEY: InjectionKey<ShellServices> = Symbol('biodiv.shell')
