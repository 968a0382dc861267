// The Node.js flags the API server runs with, for `pnpm start` and the benchmarks alike.
//
// A V8 old-space cap: with none, V8 sizes the heap from the machine's memory (4 GiB here) and lets the garbage of a
// streamed export pile up before collecting it (server RSS 196 → 356 MiB during a 1M-row export, with a few MB
// retained); capped, it collects as it goes at the same speed (peak 216 MiB). Nothing the API holds comes near it:
// files, exports and imports stream. A `--max-old-space-size` in NODE_OPTIONS takes precedence.
export const SERVER_HEAP_MIB = 512

/** Node arguments before the entry file: the heap cap (unless NODE_OPTIONS sets one) and the TypeScript loader. */
export function serverNodeArgs(env = process.env) {
  const custom = /--max-old-space-size/.test(env.NODE_OPTIONS ?? '')
  return [...(custom ? [] : [`--max-old-space-size=${SERVER_HEAP_MIB}`]), '--import', 'tsx']
}
