// Number rules shared by every config section. One message for every way a number can be
// wrong: users need the rule, not which check failed.
import { z } from 'zod';

const POSITIVE_INTEGER = 'expected a positive integer';

export const positiveInteger = () =>
  z.number({ error: POSITIVE_INTEGER }).int({ error: POSITIVE_INTEGER }).positive({ error: POSITIVE_INTEGER });
