// Test helpers shared by every package's tests and the browser tests.

export { DEMO_ORGANISM, DEMO_PARTNER } from '../../src/demo/seed-demo.ts'
export {
  createTestApp,
  type RouteInfo,
  startTestServer,
  type TestApp,
  type TestAppOptions,
  type TestServer,
} from './test-app.ts'
export { createTestDatabase, type TestDatabase } from './test-database.ts'
export { ALL_TEST_MODULES, HELLO_MODULE } from './test-modules.ts'
export { createUser, DEMO_PASSWORD, type GrantSpec, loginAs } from './users.ts'
