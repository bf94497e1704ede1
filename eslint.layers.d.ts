import type { Linter } from 'eslint';

export declare const LAYERS: readonly (readonly string[])[];
export declare function unlayeredFolders(srcDir: string | URL): string[];
export declare const layerSettings: Record<string, unknown>;
export declare const layerRules: Linter.RulesRecord;
export declare const pureDomain: Linter.Config;
