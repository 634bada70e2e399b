// `@atrium/server/testing/process`: the server as a child process, for Playwright and bench. It loads neither vitest
// nor the server's modules, so Playwright workers stay light.
export { createScratchDatabase } from './pg-url';
export { freePort, type ServerProcess, spawnServer } from './process';
