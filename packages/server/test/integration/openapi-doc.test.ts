/**
 * docs/openapi.json is what REST clients (and schemathesis) are generated
 * from: its error enum must be the catalogue, and a route's documented
 * statuses must cover the codes its handler can answer with.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERRORS, isErrorCode, type ErrorCode } from "@parley/protocol";

const read = (path: string): string => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");

interface Response {
  readonly $ref?: string;
  readonly description?: string;
}
interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: {
    responses: Record<string, Response>;
    schemas: { Error: { properties: { error: { properties: { code: { enum: string[] } } } } } };
  };
}

const DOC = JSON.parse(read("../../../../docs/openapi.json")) as OpenApi;

/** A response with its `$ref` followed. */
function resolve(response: Response): Response {
  if (!response.$ref) return response;
  const name = response.$ref.replace("#/components/responses/", "");
  const target = DOC.components.responses[name];
  assert.ok(target, `dangling ${response.$ref}`);
  return target;
}

/** Catalogue codes named in `text`. */
function codesIn(text: string): ErrorCode[] {
  const words: string[] = text.match(/\b[A-Z][A-Z0-9_]{3,}\b/g) ?? [];
  return words.filter(isErrorCode);
}

/**
 * The codes a handler's source files can answer with: every catalogue code
 * they hold as a string literal (comments may name others). INTERNAL is left
 * out (any route may fail unexpectedly, and OpenAPI leaves that undocumented).
 */
function codesOfSources(files: readonly string[]): Set<ErrorCode> {
  const codes = new Set<ErrorCode>();
  for (const file of files) {
    for (const [, code] of read(`../../src/${file}`).matchAll(/"([A-Z][A-Z0-9_]{3,})"/g))
      if (isErrorCode(code!)) codes.add(code);
  }
  codes.delete("INTERNAL");
  return codes;
}

describe("docs/openapi.json matches the error catalogue", () => {
  test("the error enum is every catalogued code, in catalogue order", () => {
    assert.deepEqual(DOC.components.schemas.Error.properties.error.properties.code.enum, Object.keys(ERRORS));
  });

  test("a code named by a documented response has that response's status", () => {
    for (const [path, ops] of Object.entries(DOC.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          for (const code of codesIn(resolve(response).description ?? "")) {
            assert.equal(ERRORS[code].status, Number(status), `${method} ${path} ${status} names ${code}`);
          }
        }
      }
    }
  });

  test("publish documents every code its handler can answer with, under the code's status", () => {
    const produced = codesOfSources([
      "http/rest-messages.ts",
      "http/respond.ts",
      "http/validate.ts",
      "http/context.ts",
      "policy/publish.ts",
      "policy/access.ts",
      "policy/publish-rules.ts",
      "log/event-log.ts",
    ]);
    // The catalogue codes the checks themselves must find, so a refactor that hides them fails here first.
    for (const code of ["BAD_EVENT", "TARGET_NOT_FOUND", "NOT_AUTHOR", "RATE_LIMITED", "CMID_CONFLICT"] as const)
      assert.ok(produced.has(code), `${code} not found in the publish path's sources`);
    const responses = DOC.paths["/v1/rooms/{room}/messages"]!["post"]!.responses;
    for (const code of produced) {
      const status = String(ERRORS[code].status);
      const documented = responses[status];
      assert.ok(documented, `publish can answer ${code} (${status}) but documents no ${status}`);
      assert.ok(
        codesIn(resolve(documented).description ?? "").includes(code),
        `publish ${status} does not name ${code}`,
      );
    }
  });
});
