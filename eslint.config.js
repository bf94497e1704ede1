import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';
import { layerRules, layerSettings, pureDomain } from './eslint.layers.js';

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'var/', 'coverage/', 'reports/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through ConfigService (src/config/), not process.env.',
        },
      ],
    },
  },
  {
    // Specs are tests: they may use test/support, which belongs to no layer.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    plugins: { boundaries },
    settings: layerSettings,
    rules: layerRules,
  },
  pureDomain,
  {
    files: ['src/config/**', 'test/**', 'bench/**', 'scripts/**', '*.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Tests read JSON answers loosely; the assertions are the types there.
    files: ['test/**', 'bench/**', 'src/**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
