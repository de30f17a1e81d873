// V8 flags for the proxy process, set before the rest of mcproxy loads so that they apply
// however it is launched (node dist/src/cli/main.js, npx, the bin), where NODE_OPTIONS or a
// node flag on the command line would not reach. MCPROXY_V8_FLAGS replaces them ("" for none).
import v8 from 'node:v8';

/** Keeps the heap small: a stdio proxy's peak RSS grew from ~85 to ~140 MiB under 16 calls in flight without it. */
// Its price: ~100 ms more CPU (collections) while a launched proxy loads its modules. Set only
// once the proxy had started, it kept less (~111 MiB peak), so it is set here, first.
export const HEAP_FLAGS = '--optimize-for-size';

v8.setFlagsFromString(process.env.MCPROXY_V8_FLAGS ?? HEAP_FLAGS);
