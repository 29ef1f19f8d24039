// Type-aware linting: no-floating-promises and friends need the type checker.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Import boundaries: which room may import which (relative paths only; no-restricted-imports cannot
// resolve them, so each pattern names the room a chain of ../ lands in). The CLI composes the agent
// and the server and may import both; shared/ is for everyone.
const room = (names, why) => ({ regex: `^(\\.\\./)+(${names.join('|')})/`, message: why });
const boundaries = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const agentNotServer = room(
  ['server', 'cli', 'tray-ui', 'console'],
  'The agent imports only agent/ and shared/ (it runs on endpoints, without the server).',
);
const serverNotAgent = room(['agent', 'cli', 'tray-ui', 'console'], 'The server imports only server/ and shared/.');
const storeMakesNoPolicy = {
  regex: '^(\\.\\./)+(desk|ingest)/',
  message:
    'The store writes what it is given: decisions belong to server/ingest and server/desk, which call the store, not the other way round.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/fixtures/**', 'data/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'bin/*.js', 'scripts/*.mjs', 'bench/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      // node:test's describe/it return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description' }],
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: boundaries(room(['agent', 'server', 'cli', 'tray-ui', 'console', 'test'], 'shared/ imports nothing outside shared/.')),
  },
  { files: ['agent/**/*.ts'], rules: boundaries(agentNotServer) },
  { files: ['server/**/*.ts'], rules: boundaries(serverNotAgent) },
  // Store tests may build their plans with the ingest planner, as the gateway does.
  { files: ['server/store/**/*.ts'], ignores: ['**/*.test.ts'], rules: boundaries(serverNotAgent, storeMakesNoPolicy) },
  {
    files: ['tray-ui/**/*.ts'],
    rules: boundaries(
      room(
        ['cli', 'server', 'console'],
        'The tray reaches the agent through agent/local-api/client.ts only; it never imports the CLI or the server.',
      ),
    ),
  },
  {
    files: ['console/**/*.{ts,tsx}'],
    rules: boundaries(
      room(['agent', 'server', 'cli', 'tray-ui', 'test'], 'The console imports only shared/ (it talks to the server over HTTP).'),
    ),
  },
  // The web console runs in the browser; its Node-side files (Vite config, unit tests) have their own tsconfig.
  { files: ['console/src/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
  {
    files: ['console/vite.config.ts', 'console/src/**/*.test.ts'],
    languageOptions: { parserOptions: { projectService: false, project: './console/tsconfig.node.json' }, globals: { ...globals.node } },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
