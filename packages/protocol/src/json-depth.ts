/**
 * How deep a JSON value nests, measured without recursion. JSON.parse is
 * iterative in V8 but JSON.stringify and most validators recurse, so a body
 * nested a few thousand levels deep overflowed the stack (INTERNAL) once
 * parsed. Inputs are checked against a bound right after parsing instead.
 */

/** Deepest nesting of an event body: an object or array counts one level (`{"text":"hi"}` is 1). */
export const MAX_BODY_DEPTH = 32;

/** True when `value` nests objects and arrays more than `max` levels deep (a scalar is 0). */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (typeof top.value !== "object" || top.value === null) continue;
    const depth = top.depth + 1;
    if (depth > max) return true;
    for (const child of Object.values(top.value)) stack.push({ value: child, depth });
  }
  return false;
}
