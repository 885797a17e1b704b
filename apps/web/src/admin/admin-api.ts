/**
 * The admin dashboard's one data call (docs/admin.md): GET /v1/server/admin/stats with the admin
 * server key. A refusal becomes a message an operator can act on.
 */

/** One node's figures (AdminTotals in docs/openapi.json). */
export interface Totals {
  connections: number;
  users: number;
  rooms: number;
  messagesIn: number;
  messagesOut: number;
  slowConsumerCuts: number;
  rateLimited: number;
}

export interface LagRow {
  consumer: string;
  topic: string;
  partition: number;
  lag: number;
}

export interface NodeReport {
  id: string;
  url?: string;
  roles: string[];
  self: boolean;
  status: string;
  totals?: Totals;
  lag: LagRow[];
}

/** The snapshot the server answers with. */
export interface AdminStats {
  at: number;
  mode: "embedded" | "cluster";
  node: string;
  totals: Totals;
  occupiedRooms: number;
  topRooms: {
    byConnections: { room: string; users: number; connections: number }[];
    byMessages: { room: string; perSecond: number }[];
  };
  nodes: NodeReport[];
}

/** A refused or failed call; `refused` means the key is no good (ask for another). */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
  }
}

/**
 * Whether the server has the dashboard on, asked without a key: the message to show when it is off
 * (SERVER_API_DISABLED comes before any key check), else undefined.
 */
export async function offMessage(): Promise<string | undefined> {
  try {
    const res = await fetch("/v1/server/admin/stats", { cache: "no-store" });
    const code = await errorCode(res);
    return code === "SERVER_API_DISABLED" ? refusalMessage(res.status, code) : undefined;
  } catch {
    return undefined; // a server that does not answer is reported when a key is tried
  }
}

/** Fetches one snapshot with `key` (`<id>.<secret>`). */
export async function fetchStats(key: string, signal?: AbortSignal): Promise<AdminStats> {
  let res: Response;
  try {
    res = await fetch("/v1/server/admin/stats", {
      headers: { authorization: `Bearer ${key}` },
      cache: "no-store",
      ...(signal && { signal }),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new AdminError("The server did not answer; retrying.", false);
  }
  if (res.ok) return (await res.json()) as AdminStats;
  const code = await errorCode(res);
  throw new AdminError(
    refusalMessage(res.status, code),
    res.status === 401 || res.status === 403 || res.status === 404,
  );
}

async function errorCode(res: Response): Promise<string> {
  try {
    return ((await res.json()) as { error?: { code?: string } }).error?.code ?? "";
  } catch {
    return "";
  }
}

/** What an operator should know about a refusal. */
export function refusalMessage(status: number, code: string): string {
  if (code === "SERVER_API_DISABLED")
    return "The dashboard is off on this server: it has no server keys file (serverKeysFile, docs/server-api.md).";
  if (status === 401)
    return "That key was refused (401 UNAUTHORIZED): it must be a server key, <id>.<secret>, as parley server-key printed it.";
  if (status === 403) return "That key lacks the admin scope (403 FORBIDDEN): create one with --scopes admin.";
  return `The server answered ${status}${code ? ` ${code}` : ""}; retrying.`;
}
