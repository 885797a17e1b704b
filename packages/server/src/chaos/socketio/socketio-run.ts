/** Placeholder while the Socket.IO comparison is written. */
export async function runSocketIoComparison(_durationMs: number, _log: (line: string) => void): Promise<number> {
  return 2;
}
