import { inject } from 'vue'
import { SHELL_KEY, type ShellServices } from './shellKey.ts'

export function useShell(): ShellServices {
  const shell = inject(SHELL_KEY, null)
  if (!shell) throw new Error('useShell() outside the shell app')
  return shell
}
