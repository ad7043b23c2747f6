// zkurator/gateway: the HTTP lock gateway, to embed in an app (`zkurator serve` runs it).
// A separate entry point: `import 'zkurator'` never loads the HTTP side (node:http only, no framework).
export { createGateway } from './server.js';
export type { Gateway, GatewayOptions } from './server.js';
export { parseSettingsFile, resolveSettings } from './gateway-config.js';
export type { GatewaySettings, GatewaySettingsInput, PoolSettings } from './gateway-config.js';
export type { LockMode, LockView } from './lock-record.js';
export type { ElectionView, ParticipantView, ResourceSummary, ResourceView } from './resource-view.js';
export type { ProblemBody } from './problem.js';
