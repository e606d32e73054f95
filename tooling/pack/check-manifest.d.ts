// Types of check-manifest.js (plain JS so bootstrap can run it on Node 20; see its header).
export function hostPlatform(): string;
export function packPins(toolchain: { tools: Record<string, { pinned?: string; go?: unknown }> }): Record<string, string>;
export function lockfileHashes(root: string, files: string[]): Record<string, string>;
export function manifestProblem(manifest: unknown, pins: Record<string, string>, platform: string, hashesOf?: (files: string[]) => Record<string, string>): string | undefined;
