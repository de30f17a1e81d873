// `npm run fuzz [-- COUNT [SEED]]`: the fuzz runs with figures (default 10,000 inputs). Exit 1 on any failure.
import { formatFigures, runFuzz } from './fuzz.js';

const total = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 1);
const result = await runFuzz(total, seed);
process.stdout.write(`mcproxy fuzz: ${total} inputs, seed ${seed}\n\n${formatFigures(result)}\n`);
process.exit(result.figures.some((f) => f.failures.length > 0) ? 1 : 0);
