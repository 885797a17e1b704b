/**
 * Preloaded (`--import`) into every Node server the benchmarks start, with
 * `--expose-gc`: SIGUSR2 runs a full garbage collection. The idle scenarios
 * send it before sampling memory, so every Node system is measured on its
 * live set rather than on wherever its GC cycle happened to be (Parley's
 * three Kafka gateways varied from 8 to 22 KiB of heap per connection without it).
 */
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) process.on("SIGUSR2", () => gc());
