/**
 * TypeBox schemas for client frames. The server validates every inbound frame
 * with these compiled checkers; the JSON Schema they produce also feeds the
 * OpenAPI document. Kept out of the main entry so browser bundles stay small.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { CMID_PATTERN, KIND_PATTERN, ROOM_ID_PATTERN, USER_ID_PATTERN } from "./frames.js";
import type * as F from "./frames.js";
import { MAX_BODY_DEPTH, jsonDepthExceeds } from "./json-depth.js";

const Id = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const RoomId = Type.String({ pattern: ROOM_ID_PATTERN });
export const UserId = Type.String({ pattern: USER_ID_PATTERN });
export const Cmid = Type.String({ pattern: CMID_PATTERN });
export const Kind = Type.String({ pattern: KIND_PATTERN });
const Opt = Type.Optional;

export const ConnectSchema = Type.Object({
  t: Type.Literal("connect"),
  id: Opt(Id),
  versions: Type.Array(Type.Integer({ minimum: 0, maximum: 1000 }), { minItems: 1, maxItems: 16 }),
  token: Opt(Type.String({ maxLength: 8192 })),
  user: Opt(UserId),
  client: Opt(Type.String({ maxLength: 128 })),
});
export const SubscribeSchema = Type.Object({
  t: Type.Literal("sub"),
  id: Id,
  room: RoomId,
  since: Opt(Seq),
  epoch: Opt(Type.String({ maxLength: 64 })),
});
export const UnsubscribeSchema = Type.Object({ t: Type.Literal("unsub"), id: Id, room: RoomId });
export const PublishSchema = Type.Object({
  t: Type.Literal("pub"),
  id: Id,
  room: RoomId,
  cmid: Cmid,
  kind: Opt(Kind),
  body: Type.Unknown(),
});
export const HistorySchema = Type.Object({
  t: Type.Literal("history"),
  id: Id,
  room: RoomId,
  before: Opt(Seq),
  after: Opt(Seq),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 1000 })),
});
export const PresenceSchema = Type.Object({ t: Type.Literal("presence"), id: Id, room: RoomId });
export const TypingSchema = Type.Object({ t: Type.Literal("typing"), room: RoomId });
export const UnreadSchema = Type.Object({ t: Type.Literal("unread"), id: Id });
export const SearchSchema = Type.Object({
  t: Type.Literal("search"),
  id: Id,
  q: Type.String({ minLength: 1, maxLength: 256 }),
  room: Opt(RoomId),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 1000 })),
});
export const InboxSchema = Type.Object({ t: Type.Literal("inbox"), id: Id });
export const PingSchema = Type.Object({ t: Type.Literal("ping"), id: Opt(Id) });
export const PongSchema = Type.Object({ t: Type.Literal("pong"), id: Opt(Id) });

/** Schema per client frame type. */
export const CLIENT_FRAME_SCHEMAS = {
  connect: ConnectSchema,
  sub: SubscribeSchema,
  unsub: UnsubscribeSchema,
  pub: PublishSchema,
  history: HistorySchema,
  presence: PresenceSchema,
  typing: TypingSchema,
  unread: UnreadSchema,
  search: SearchSchema,
  inbox: InboxSchema,
  ping: PingSchema,
  pong: PongSchema,
} as const;

// Compile-time proof that the schemas and the hand-written frame types agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<T extends true> = T;
export type SchemasMatchTypes = [
  Check<Same<Static<typeof ConnectSchema>, F.ConnectFrame>>,
  Check<Same<Static<typeof SubscribeSchema>, F.SubscribeFrame>>,
  Check<Same<Static<typeof UnsubscribeSchema>, F.UnsubscribeFrame>>,
  Check<Same<Omit<Static<typeof PublishSchema>, "body">, Omit<F.PublishFrame, "body">>>,
  Check<Same<Static<typeof HistorySchema>, F.HistoryFrame>>,
  Check<Same<Static<typeof PresenceSchema>, F.PresenceQueryFrame>>,
  Check<Same<Static<typeof TypingSchema>, F.TypingFrame>>,
  Check<Same<Static<typeof UnreadSchema>, F.UnreadQueryFrame>>,
  Check<Same<Static<typeof SearchSchema>, F.SearchQueryFrame>>,
  Check<Same<Static<typeof InboxSchema>, F.InboxQueryFrame>>,
  Check<Same<Static<typeof PingSchema>, F.PingFrame>>,
  Check<Same<Static<typeof PongSchema>, F.PongFrame>>,
];

type FrameType = keyof typeof CLIENT_FRAME_SCHEMAS;
const CHECKERS = Object.fromEntries(
  Object.entries(CLIENT_FRAME_SCHEMAS).map(([t, s]) => [t, TypeCompiler.Compile(s as TSchema)]),
) as Record<FrameType, ReturnType<typeof TypeCompiler.Compile>>;

/** Result of decoding one inbound client frame. */
export type DecodeResult =
  | { ok: true; frame: F.ClientFrame }
  | {
      ok: false;
      code: "BAD_JSON" | "BAD_FRAME" | "UNKNOWN_FRAME" | "BAD_EVENT";
      message: string;
      id?: number;
      /** The frame type, once known (a malformed `connect` is answered differently). */
      t?: string;
    };

/** Parses and validates one client frame; never throws. */
export function decodeClientFrame(text: string): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: "BAD_JSON", message: "frame is not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, code: "BAD_FRAME", message: "frame must be a JSON object" };
  }
  const record = value as Record<string, unknown>;
  const id = typeof record.id === "number" && Number.isSafeInteger(record.id) ? record.id : undefined;
  const t = record.t;
  if (typeof t !== "string" || !Object.prototype.hasOwnProperty.call(CHECKERS, t)) {
    return fail("UNKNOWN_FRAME", `unknown frame type ${JSON.stringify(t)}`, id);
  }
  // Before validation, so nothing downstream walks an unbounded depth; the body sits one level down.
  if (jsonDepthExceeds(value, MAX_BODY_DEPTH + 1)) {
    const where = t === "pub" ? "event body" : `${t} frame`;
    return {
      ...fail(t === "pub" ? "BAD_EVENT" : "BAD_FRAME", `${where} nests deeper than ${MAX_BODY_DEPTH} levels`, id),
      t,
    };
  }
  const checker = CHECKERS[t as FrameType];
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    const where = first ? `${first.path || "/"}: ${first.message}` : "invalid";
    return { ...fail("BAD_FRAME", `${t} frame ${where}`, id), t };
  }
  if (t === "pub" && !("body" in record)) {
    return { ...fail("BAD_FRAME", "pub frame /body: required", id), t };
  }
  return { ok: true, frame: value as F.ClientFrame };
}

type DecodeFailure = Extract<DecodeResult, { ok: false }>;

function fail(code: DecodeFailure["code"], message: string, id: number | undefined): DecodeFailure {
  return id === undefined ? { ok: false, code, message } : { ok: false, code, message, id };
}
