import { useCallback, useEffect, useRef, useState } from "react";
import { useParley } from "./context.js";
import { useRoom } from "./use-room.js";

/** Options of {@link useTyping}. */
export interface UseTypingOptions {
  /** How long a typing notice lasts without a new one (default 4000 ms). */
  timeoutMs?: number;
  /** At most one notice sent per this interval (default 2000 ms). */
  throttleMs?: number;
}

/** Who else is typing, and how to say that I am. */
export interface TypingResult {
  /** Other users typing now, sorted. */
  typing: string[];
  /** Call on every keystroke; sends a throttled, ephemeral typing notice. */
  notifyTyping(): void;
}

/** Typing indicators of room `id`: a user stops "typing" after `timeoutMs` or when their message arrives. */
export function useTyping(id: string, options: UseTypingOptions = {}): TypingResult {
  const timeoutMs = options.timeoutMs ?? 4000;
  const throttleMs = options.throttleMs ?? 2000;
  const { client, user } = useParley();
  const { room } = useRoom(id);
  const [until, setUntil] = useState<ReadonlyMap<string, number>>(new Map());
  const lastSent = useRef(0);

  useEffect(() => {
    setUntil(new Map());
    const me = (): string | undefined => user ?? client.session?.user;
    const offs = [
      room.on("typing", ({ user: who }) => {
        if (who !== me()) setUntil((m) => new Map(m).set(who, Date.now() + timeoutMs));
      }),
      room.on("event", (e) => {
        // My message ended my typing burst for everyone else: the next keystroke announces a new one.
        if (e.from === me()) lastSent.current = 0;
        setUntil((m) => (m.has(e.from) ? without(m, e.from) : m));
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [room, client, user, timeoutMs]);

  useEffect(() => {
    if (until.size === 0) return;
    const next = Math.min(...until.values());
    const timer = setTimeout(() => setUntil((m) => expire(m, Date.now())), Math.max(0, next - Date.now()) + 10);
    return () => clearTimeout(timer);
  }, [until]);

  const notifyTyping = useCallback(() => {
    const now = Date.now();
    if (now - lastSent.current < throttleMs) return;
    if (room.typing()) lastSent.current = now;
  }, [room, throttleMs]);

  return { typing: [...until.keys()].sort(), notifyTyping };
}

function without(m: ReadonlyMap<string, number>, user: string): Map<string, number> {
  const next = new Map(m);
  next.delete(user);
  return next;
}

function expire(m: ReadonlyMap<string, number>, now: number): Map<string, number> {
  return new Map([...m].filter(([, t]) => t > now));
}
