// The package entry: the vCon recorder as a library, for any single MCP server
// (VconMcpProxy.wrapTransport), and its parts. The `mcproxy` command is dist/src/cli/main.js.
export { VconMcpProxy, type VconMcpProxyConfig, type ResolvedVconMcpProxyConfig } from './vcon/library.js';
export { VconRecording, type VconLogger } from './vcon/recording.js';
export { SessionManager } from './vcon/sessions.js';
export { SessionRecorder } from './vcon/recorder.js';
export { VconBuilder } from './vcon/builder.js';
export { ConserverClient, type ConserverOptions, type PostOutcome } from './vcon/conserver.js';
export { vconProblems } from './vcon/validate.js';
export { uuidV8 } from './vcon/uuid.js';
export { CHAIN_META_KEY, type Vcon, type JournalEntry } from './vcon/types.js';
