// What e2e/ and bench/ may use of the server, as `@atrium/server/testing` (in-process, under vitest). They never reach
// into src/ or test/ by path; biome.json's noRestrictedImports holds them to this export.
export { startDirectAgentListener } from '../src/agents/listener';
export { bootstrap } from '../src/bootstrap';
export { ADMIN_PASSWORD, api, pairKiosk, scan, signInAdmin } from './actors';
export { TestAgent } from './agent-client';
export { testClock } from './clock';
export { testBackend } from './db';
export { startTestServer, type TestServer } from './http';
export { jsonOf } from './json';
export { createScratchDatabase, freePort, type ServerProcess, spawnServer } from './process-testing';
