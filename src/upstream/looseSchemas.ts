// Result schemas that keep every field. The SDK's own schemas strip keys they do not know,
// and a proxy must not lose what a newer server (or client) sends.
import { z } from 'zod';

export const LooseResult = z.looseObject({});
