/**
 * The part of the Dev Container spec (containers.dev/implementors/json_reference) the kit's
 * `.devcontainer/devcontainer.json` uses, as a strict zod schema: every property it may hold,
 * typed as the spec's JSON schema types it. Strict, so a misspelt key fails the test instead of
 * being silently ignored by the editor. Why a transcription and not the spec's own JSON schema:
 * DESIGN.md, 2026-12-07 "Dev container".
 */
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);

const portAttributes = z.strictObject({
  label: z.string().min(1),
  protocol: z.enum(['http', 'https']).optional(),
  onAutoForward: z.enum(['notify', 'openBrowser', 'openBrowserOnce', 'openPreview', 'silent', 'ignore']).optional(),
  requireLocalPort: z.boolean().optional(),
  elevateIfNeeded: z.boolean().optional(),
});

/** A lifecycle command: a shell string, an argv, or named parallel commands. */
const command = z.union([z.string().min(1), z.array(z.string()).min(1), z.record(z.string(), z.union([z.string(), z.array(z.string())]))]);

export const devContainerSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  build: z.strictObject({
    dockerfile: z.string().min(1),
    context: z.string().optional(),
    args: z.record(z.string(), z.string()).optional(),
    target: z.string().optional(),
  }),
  features: z.record(z.string().regex(/^[a-z0-9.-]+(\/[a-z0-9._-]+)+:[0-9]+$/, 'a feature id is registry/namespace/name:major'), z.record(z.string(), z.union([z.string(), z.boolean()]))).optional(),
  remoteUser: z.string().optional(),
  containerUser: z.string().optional(),
  containerEnv: z.record(z.string(), z.string()).optional(),
  remoteEnv: z.record(z.string(), z.string()).optional(),
  onCreateCommand: command.optional(),
  updateContentCommand: command.optional(),
  postCreateCommand: command.optional(),
  postStartCommand: command.optional(),
  postAttachCommand: command.optional(),
  forwardPorts: z.array(z.union([port, z.string().regex(/^[^:]+:\d+$/)])).optional(),
  portsAttributes: z.record(z.string().regex(/^\d+(-\d+)?$/), portAttributes).optional(),
  hostRequirements: z
    .strictObject({
      cpus: z.number().int().min(1).optional(),
      memory: z.string().regex(/^\d+([tgmk]b)?$/).optional(),
      storage: z.string().regex(/^\d+([tgmk]b)?$/).optional(),
    })
    .optional(),
  customizations: z.record(z.string(), z.unknown()).optional(),
});

export type DevContainer = z.infer<typeof devContainerSchema>;
