/**
 * The one publish pipeline of every transport (WebSocket and SSE `pub`, REST
 * `POST /v1/rooms/{room}/messages`): rate limit → size → publish rules
 * (publish-rules.ts) → append → metrics. A refusal is thrown as a ParleyError
 * with its catalogued code, which each transport answers in its own way (an
 * `error` frame, an HTTP status), so the codes cannot drift apart.
 */
import { ParleyError, utf8Length } from "@parley/protocol";
import type { Principal } from "../auth/principal.js";
import type { ParleyConfig } from "../config/options.js";
import type { AppendResult, EventLog, PublishCommand } from "../log/event-log.js";
import { latencyTrace } from "../metrics/latency-trace.js";
import type { Metrics } from "../metrics/metrics.js";
import type { RoomAccess } from "./access.js";
import { checkPublish } from "./publish-rules.js";

/** A publisher's place in its arrival order (gateway/arrival-order.ts). */
export interface PublishTurn {
  /** Settles when every earlier publish of the same connection and room was appended or refused. */
  readonly ready: Promise<void>;
  /** Hands the turn on; called once this publish was appended or refused. */
  done(): void;
}

/** One publish as a transport received it. */
export interface PublishRequest {
  readonly principal: Principal;
  readonly command: PublishCommand;
  /** Takes one token from every bucket the publish counts against; false means RATE_LIMITED. */
  readonly takeToken: (nowMs: number) => boolean;
  /**
   * Takes the publish's turn, once the cheap checks passed: the append waits for it. A transport
   * whose requests carry no order between them (REST) gives none.
   */
  readonly takeTurn?: () => PublishTurn;
  /** Whether the publisher still waits for the answer once its turn came; when not, nothing is appended. */
  readonly live?: () => boolean;
}

/** What the pipeline reads and writes, given once at composition. */
export interface PublisherDeps {
  readonly log: EventLog;
  readonly access: RoomAccess;
  readonly config: Pick<ParleyConfig, "maxMessageBytes">;
  readonly metrics?: Metrics | undefined;
}

/** Runs publishes through the checks into the log. */
export class Publisher {
  constructor(private readonly deps: PublisherDeps) {}

  /**
   * Checks and appends one publish; resolves once it is durable, with undefined when the publisher
   * went away before its turn. Throws a ParleyError for a refusal; an append's own failure
   * (CMID_CONFLICT, UNAVAILABLE) propagates as the log threw it.
   */
  async publish(req: PublishRequest): Promise<AppendResult | undefined> {
    const started = process.hrtime.bigint();
    this.refuseOverLimits(req);
    const handed = await this.checkInTurn(req);
    if (handed === undefined) return undefined;
    latencyTrace?.add("gw.checks", Number(process.hrtime.bigint() - started) / 1e6);
    const { event, duplicate } = await handed.appended;
    this.deps.metrics?.publishes.inc({ outcome: duplicate ? "duplicate" : "ok" });
    this.deps.metrics?.ackLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    return { event, duplicate };
  }

  /** The rate limit, then the size limit: checks that read nothing, so they run before the turn. */
  private refuseOverLimits({ takeToken, command }: PublishRequest): void {
    if (!takeToken(Date.now())) this.refuse("rate_limited", new ParleyError("RATE_LIMITED"));
    if (utf8Length(JSON.stringify(command.body)) > this.deps.config.maxMessageBytes) {
      this.refuse("too_large", new ParleyError("MESSAGE_TOO_LARGE"));
    }
  }

  /**
   * The publish rules run concurrently with earlier publishes' checks; only the append waits for the
   * turn, so the log sequences one publisher's messages in the order they arrived.
   */
  private async checkInTurn(req: PublishRequest): Promise<{ appended: Promise<AppendResult> } | undefined> {
    const turn = req.takeTurn?.();
    try {
      const refused = await checkPublish(req.principal, req.command, this.deps);
      if (refused) {
        const outcome = refused.code === "FORBIDDEN" ? "forbidden" : "rejected";
        this.refuse(outcome, new ParleyError(refused.code, refused.message));
      }
      await turn?.ready;
      if (req.live && !req.live()) return undefined;
      // Wrapped, not awaited: the turn passes on once the log has the command, not once it is durable.
      return { appended: this.deps.log.append(req.command) };
    } finally {
      turn?.done();
    }
  }

  private refuse(outcome: string, error: ParleyError): never {
    this.deps.metrics?.publishes.inc({ outcome });
    throw error;
  }
}
