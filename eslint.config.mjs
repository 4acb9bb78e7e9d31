import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'packages/proto/src/**',
      'load-tests/**',
      '**/*.js',
      '**/*.mjs',
      'web/src/api/openapi.gen.ts',
      'web/dev-dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Formatting is prettier's alone (`pnpm format`); ESLint keeps to correctness.
  prettier,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use string-literal unions, not enums.' },
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  {
    // The web app: React's rules of hooks on top of the shared rules.
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    // Vite and Vitest load their configuration through the module's default export.
    files: ['web/vite.config.mts', 'web/vitest.config.mts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Jest loads its global setup through the module's default export.
    files: ['packages/testkit/src/global-setup.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
