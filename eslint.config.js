import tseslint from 'typescript-eslint';

// Dependency direction (README, "Layout and dependency direction"), checked on every `npm test`:
// packages never import apps; core imports no other workspace package; apps never import each
// other; product code never imports the test harness; and everyone else (bench, test-support, an
// app's tests) reaches another workspace member only through its package exports, never its files.
// Each folder's rule lists every pattern that applies there: a later config's options replace an
// earlier one's for the same rule.
const throughExports = [
  {
    regex: String.raw`^(\.\./)+(apps/|packages/)?[\w-]+/(src|dist)(/|$)`,
    message: "reaches into another workspace member's files: import it through its package exports (@dispatch/...).",
  },
  { regex: String.raw`^@dispatch/[\w-]+/(src|dist)(/|$)`, message: 'bypasses the package exports: import an entry the package exports.' },
];
const noApps = [
  { group: ['@dispatch/api', '@dispatch/api/*', '@dispatch/worker', '@dispatch/worker/*'], message: 'packages never import apps.' },
  { regex: String.raw`^(\.\./)+apps/`, message: 'packages never import apps.' },
];
const noOtherApp = (app) => [{ group: [`@dispatch/${app}`, `@dispatch/${app}/*`], message: `apps never import each other (${app}).` }];
const noWorkspacePackage = [{ group: ['@dispatch/*'], message: 'core imports no other workspace package.' }];
const noHarness = [{ regex: String.raw`^(\.\./)+test-support/`, message: 'product code never imports the test harness.' }];
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: [...throughExports, ...patterns.flat()] }] });
const productCode = (folder) => ({ files: [`${folder}/**/*.ts`], ignores: ['**/*.test.ts'] });

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/db/drizzle/**', '.data/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  { files: ['**/*.ts'], rules: restrict() },
  { files: ['packages/**/*.ts'], rules: restrict(noApps) },
  { ...productCode('packages'), rules: restrict(noApps, noHarness) },
  { files: ['packages/core/**/*.ts'], rules: restrict(noApps, noWorkspacePackage) },
  { ...productCode('packages/core'), rules: restrict(noApps, noWorkspacePackage, noHarness) },
  { files: ['apps/api/src/**/*.ts'], rules: restrict(noOtherApp('worker')) },
  { ...productCode('apps/api/src'), rules: restrict(noOtherApp('worker'), noHarness) },
  { files: ['apps/worker/src/**/*.ts'], rules: restrict(noOtherApp('api')) },
  { ...productCode('apps/worker/src'), rules: restrict(noOtherApp('api'), noHarness) },
);
