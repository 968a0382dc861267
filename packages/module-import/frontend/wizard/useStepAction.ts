import { ref } from 'vue'
import { apiErrorMessage } from './apiErrors.ts'

/**
 * A wizard step's call to the API: `busy` while it runs (buttons disabled), its failure as the user reads it in
 * `error`, cleared when the next call starts.
 */
export function useStepAction() {
  const busy = ref(false)
  const error = ref<string | null>(null)
  async function run(action: () => Promise<void>): Promise<void> {
    busy.value = true
    error.value = null
    try {
      await action()
    } catch (e) {
      error.value = apiErrorMessage(e)
    } finally {
      busy.value = false
    }
  }
  return { busy, error, run }
}
