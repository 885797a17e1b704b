import { bareWire } from "./bare-wire.js";
import { centrifugoWire } from "./centrifugo-wire.js";
import { natsWire } from "./nats-wire.js";
import { parleyWire } from "./parley-wire.js";
import { socketioWire } from "./socketio-wire.js";
import type { SystemName, Wire } from "./wire.js";

const WIRES: Record<SystemName, Wire> = {
  parley: parleyWire,
  "parley-base": parleyWire,
  "parley-normal": parleyWire,
  "parley-kafka": parleyWire,
  "parley-kafka-base": parleyWire,
  "parley-kafka-split": parleyWire,
  socketio: socketioWire,
  nats: natsWire,
  ws: bareWire,
  centrifugo: centrifugoWire,
};

export function wireFor(system: SystemName): Wire {
  return WIRES[system];
}
