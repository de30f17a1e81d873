// security: tool pinning (rug-pull detection).
import { z } from 'zod';

const PinAction = z.enum(['block', 'warn', 'allow']);

export const SecuritySchema = z.strictObject({
  /** The pin file, relative to the config file. */
  pins: z.string().min(1).default('./mcproxy.pins.json'),
  /** What to do when a pinned tool or prompt changes. */
  onToolChange: PinAction.default('block'),
  /** What to do with a tool or prompt a known upstream did not have when it was pinned. */
  onNewTool: PinAction.default('warn'),
  /** Encrypts the upstream OAuth token store (AES-GCM, key derived from this); write `${VAR}`. */
  tokenKey: z.string().min(1).optional(),
});

export type PinAction = z.infer<typeof PinAction>;
export type SecurityConfig = z.infer<typeof SecuritySchema>;
