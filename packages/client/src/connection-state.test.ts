import assert from "node:assert/strict";
import { test } from "node:test";
import { canTransition, ConnectionStateMachine, type StateChange } from "./connection-state.js";

test("starts disconnected and emits every change with its reason", () => {
  const changes: StateChange[] = [];
  const machine = new ConnectionStateMachine((c) => changes.push(c));
  assert.equal(machine.state, "disconnected");
  machine.setState("connecting", "connect()");
  machine.setState("connected", "handshake");
  machine.setState("reconnecting", "dropped");
  machine.setState("connecting", "retry");
  machine.setState("closed", "4500");
  assert.deepEqual(
    changes.map((c) => [c.oldState, c.newState, c.reason]),
    [
      ["disconnected", "connecting", "connect()"],
      ["connecting", "connected", "handshake"],
      ["connected", "reconnecting", "dropped"],
      ["reconnecting", "connecting", "retry"],
      ["connecting", "closed", "4500"],
    ],
  );
});

test("setting the same state is a silent no-op", () => {
  const changes: StateChange[] = [];
  const machine = new ConnectionStateMachine((c) => changes.push(c));
  assert.equal(machine.setState("disconnected", "again"), false);
  assert.equal(changes.length, 0);
});

test("illegal transitions throw and leave the state alone", () => {
  const machine = new ConnectionStateMachine(() => undefined);
  assert.throws(() => machine.setState("connected", "skip the handshake"), /illegal/);
  assert.equal(machine.state, "disconnected");
  machine.setState("connecting", "x");
  machine.setState("connected", "x");
  assert.throws(() => machine.setState("connecting", "no"), /illegal/);
});

test("transition table", () => {
  assert.equal(canTransition("reconnecting", "connected"), false);
  assert.equal(canTransition("closed", "connecting"), true);
  assert.equal(canTransition("disconnected", "reconnecting"), false);
  assert.equal(canTransition("connected", "disconnected"), true);
});
