import { readdirSync } from 'node:fs';

/**
 * The layers of src/ (STYLE.md), lowest first. A folder may import the folders of lower layers
 * only: never one of its own layer, never one above. Since imports run one way, no two
 * folders can import each other. The composition root (src/*.ts) imports every layer.
 */
export const LAYERS = [
  ['domain'],
  ['common'],
  ['metrics', 'config', 'logging'],
  ['redis'],
  ['store'],
  ['channels', 'access'],
  ['delivery'],
  ['scheduler'],
  ['subscriptions'],
  ['admin', 'health'],
];

const below = (rank) => LAYERS.slice(0, rank).flat();

/** Folders under `srcDir` that are in no layer: lint refuses to run while there are any. */
export function unlayeredFolders(srcDir) {
  return readdirSync(srcDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !LAYERS.flat().includes(entry.name))
    .map((entry) => entry.name);
}

const unlayered = unlayeredFolders(new URL('./src', import.meta.url));
if (unlayered.length > 0) {
  throw new Error(`src/${unlayered[0]}/ is in no layer: add it to LAYERS in eslint.layers.js`);
}

/** Settings and rules for eslint-plugin-boundaries. */
export const layerSettings = {
  'boundaries/include': ['src/**/*.ts'],
  'boundaries/elements': [
    ...LAYERS.flat().map((folder) => ({ type: folder, pattern: `src/${folder}` })),
  ],
  'import/resolver': { typescript: { project: 'tsconfig.json' } },
};

export const layerRules = {
  'boundaries/dependencies': [
    'error',
    {
      default: 'disallow',
      // The composition root (src/*.ts) belongs to no layer: no layer may import it.
      checkUnknownLocals: true,
      message: '{{from.type}}/ may import only the layers below it (eslint.layers.js)',
      policies: [
        ...LAYERS.flatMap((folders, rank) =>
          folders.map((folder) => ({
            from: { element: { type: folder } },
            allow: { to: { element: { types: { anyOf: [folder, ...below(rank)] } } } },
          })),
        ),
      ],
    },
  ],
};

/** domain/ is pure TypeScript: besides its own files it imports luxon, nothing else. */
export const pureDomain = {
  files: ['src/domain/**/*.ts'],
  ignores: ['src/domain/**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^(?!luxon$|\\./)',
            message: 'domain/ is pure TypeScript: it imports luxon and its own files only.',
          },
        ],
      },
    ],
  },
};
