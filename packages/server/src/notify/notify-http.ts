import type { NotifyStore } from "./notify-store.js";
import type { OutboundPolicy } from "./outbound.js";

/** What the push and webhook REST routes use (HttpContext.notify). */
export interface NotifyHttp {
  readonly store: NotifyStore;
  /** The VAPID public key browsers subscribe with; undefined when push is off. */
  readonly vapidPublicKey: string | undefined;
  /** Which addresses webhook URLs and push endpoints may reach. */
  readonly outbound: OutboundPolicy;
  /** Tells the webhook dispatcher that the room's hooks changed (created or deleted). */
  hooksChanged(room: string): Promise<void>;
}
