import { FIRST_PARTY_MODULES } from '../../src/config.ts'

/** The example partner module of the tests (tests/fixtures/module-hello), as a path from the repository root. */
export const HELLO_MODULE = './tests/fixtures/module-hello'
export const ALL_TEST_MODULES = [...FIRST_PARTY_MODULES, HELLO_MODULE]
