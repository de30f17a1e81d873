// V8 flags for the proxy process, set before the rest of mcproxy loads so that they apply
// however it is launched (node dist/src/cli/main.js, npx, the bin), where NODE_OPTIONS or a
// node flag on the command line would not reach. MCPROXY_V8_FLAGS replaces them ("" for none).
import v8 from 'node:v8';

/**
 * Keeps the young generation at its first size (1 MiB a semi-space) instead of doubling up to
 * 16: without it, a stdio proxy's new space grew to ~30 MiB under load and its peak RSS past
 * 100 MiB. The semi-space size flags would say so more plainly, but V8 reads them only when the
 * heap is made, before this runs; the growth factor it reads at each collection.
 */
// Measured beside --optimize-for-size (last round's flag: it also keeps the new space small,
// but makes V8 trade speed for size elsewhere): the same or a few MiB lower peak, and ~10 % less
// proxy CPU per call in same-run medians (on a loaded machine, about as large as the noise).
//
// And lets the old generation grow by half of what a full collection left before the next one,
// where V8 lets it grow up to four times: what a small young generation promotes is mostly
// short-lived, and a stdio proxy under steady load peaked at 95-131 MiB after 55,000-160,000
// calls (live heap ~19 MiB) instead of ~82, for no CPU per call the measurements could tell.
export const HEAP_FLAGS = '--semi-space-growth-factor=1 --heap-growing-percent=50';

v8.setFlagsFromString(process.env.MCPROXY_V8_FLAGS ?? HEAP_FLAGS);
