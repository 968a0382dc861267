import type pg from 'pg'
import { loadSensitivityRules, type SensitivityImportReport } from './sensitivity-import.ts'

/** The hand-made sample rules on the demo's taxa (data/README.md: not the INPN referential). */
export const DEMO_SENSITIVITY_FILE = new URL('./data/sensitivity-sample.csv', import.meta.url)
export const DEMO_SENSITIVITY_SOURCE = 'Démo : règles de sensibilité illustratives'

/** Loads the sample rules through the importer, inside the caller's transaction (after the taxa and areas). */
export async function seedDemoSensitivity(client: pg.PoolClient): Promise<SensitivityImportReport> {
  return loadSensitivityRules(client, DEMO_SENSITIVITY_FILE.pathname, { source: DEMO_SENSITIVITY_SOURCE })
}
