// What e2e/ and bench/ may use of the agent, as `@atrium/agent/testing` (and its RADIUS half alone as
// `@atrium/agent/testing/radius`). They never reach into src/ by path; biome.json's noRestrictedImports holds them to it.
export { type RunningAgent, startAgent } from './agent';
export { AgentConfigError, loadAgentConfig } from './config';
export { type AgentEvent, ServerLink } from './link/link';
export { issueTestPki, type TestPki } from './link/test-pki';
export * from './testing-radius';
