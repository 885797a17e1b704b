/**
 * What a webhook receiver gets, and how it checks it: the RoomEvent as JSON,
 * signed like Stripe's webhooks so receivers can reuse the same verifier.
 */
import { createHmac, randomBytes } from "node:crypto";
import { ParleyError, type RoomEvent } from "@parley/protocol";

/** A new hook's secret when the creator gives none: 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export function webhookSignature(secret: string, unixSeconds: number, rawBody: string): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${rawBody}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** The body and headers of the POST for one event. */
export function webhookRequest(hook: { id: string; secret: string }, event: RoomEvent, nowMs: number) {
  const body = JSON.stringify(event);
  const headers = {
    "content-type": "application/json",
    "user-agent": "Parley-Webhook/1",
    "parley-webhook-id": hook.id,
    "parley-event-id": event.id,
    "parley-signature": webhookSignature(hook.secret, Math.floor(nowMs / 1000), body),
  };
  return { body, headers };
}

const MAX_URL = 2048;

/**
 * Checks a webhook URL: http(s), no credentials, and when `allowedHosts` is
 * not empty a host on it (`name` exactly, or `*.name` for any subdomain).
 * Throws BAD_REQUEST saying what is wrong.
 */
export function checkWebhookUrl(value: unknown, allowedHosts: readonly string[]): string {
  if (typeof value !== "string" || value.length > MAX_URL || !URL.canParse(value)) {
    throw new ParleyError("BAD_REQUEST", `\`url\` must be an absolute http(s) URL of at most ${MAX_URL} characters`);
  }
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ParleyError("BAD_REQUEST", `\`url\` must be http or https, not ${url.protocol.slice(0, -1)}`);
  }
  if (url.username || url.password) throw new ParleyError("BAD_REQUEST", "`url` must not carry credentials");
  if (allowedHosts.length > 0 && !allowedHosts.some((pattern) => hostMatches(pattern, url.hostname))) {
    throw new ParleyError("BAD_REQUEST", `\`url\` host ${url.hostname} is not in webhookAllowedHosts`);
  }
  return url.href;
}

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  return p.startsWith("*.") ? host.endsWith(p.slice(1)) : host === p;
}

/** Full-jitter exponential backoff: a random delay in [0, min(max, base·2^attempt)). */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30)));
}
