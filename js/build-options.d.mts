import type { BuildOptions } from "esbuild";
export declare const WIDGET: BuildOptions;
export declare const LOADER: BuildOptions;
