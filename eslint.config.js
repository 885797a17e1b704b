// Type-aware lint for every TypeScript project; `npm test` runs `eslint . --max-warnings 0` after prettier.
// Only rules that catch real bugs or keep signatures readable; formatting is prettier's job.
// Type information costs: the whole tree takes about 35 s of CPU (18 s of it building the TypeScript programs).
import tseslint from "typescript-eslint";

// Code that runs only under a test: node:test files, the server's test project (fixtures, fakes, chaos, in-process
// benchmarks), the browser e2e suite and the packages' test-support folders.
const testFiles = [
  "**/*.test.ts",
  "**/*.test.tsx",
  "packages/server/test/**",
  "apps/web/e2e/**",
  "packages/*/src/test-support/**",
];

// node:test's registration calls return promises that the runner itself awaits; not awaiting them is the intended use.
const nodeTestCalls = ["describe", "it", "test", "suite", "before", "after", "beforeEach", "afterEach"];

export default tseslint.config(
  // Build output, generated files and benchmark results are not source; JavaScript files are a few build scripts.
  {
    ignores: [
      "**/dist/**",
      "**/dist-*/**",
      "**/node_modules/**",
      "bench/results/**",
      "**/*.js",
      "**/*.mjs",
      "**/*.cjs",
    ],
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: {
        // vite.config.ts is in no tsconfig (it configures the build, it is not part of it).
        projectService: { allowDefaultProject: ["apps/web/vite.config.ts"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection kills the node) and its ordering.
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: nodeTestCalls }] },
      ],
      // An async callback where a void one is expected (event handlers, forEach) drops its rejection the same way.
      "@typescript-eslint/no-misused-promises": "error",
      // `!` tells the compiler "trust me"; product code states what it expects and fails with a clear error instead.
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-explicit-any": "error",
      // Past four positional arguments, call sites stop being readable: pass an options object.
      "max-params": ["error", 4],
      // Control characters in a regex are almost always a typo; the one deliberate use says so on its line.
      "no-control-regex": "error",
    },
  },
  {
    // In a test a `!` that is wrong throws and fails the test, which is exactly what the test wants; narrowing
    // every lookup by hand would only add noise between the arrange and the assert.
    files: testFiles,
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
