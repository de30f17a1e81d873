// The suite's figures as an SVG bar chart (bench/figures.svg, shown in the README): one block
// per section, one bar per path, scaled within its section; mcproxy's bars in one colour, the
// baselines and peers in another.
interface ChartRow {
  section: string;
  path: string;
  values: Record<string, number>;
  ratio?: number;
  vs?: string;
}

interface Report {
  machine: { date: string; cpus: string; node: string; sdk?: string; commit?: string; loadAverage: string };
  rows: ChartRow[];
}

const WIDTH = 900;
const LABEL = 330;
const BAR = 16;
const GAP = 6;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The figure a row is drawn by, and its unit. */
function mainFigure(row: ChartRow): { value: number; unit: string } | undefined {
  if ('callsPerSecond' in row.values) return { value: row.values.callsPerSecond, unit: 'calls/s' };
  if ('ms' in row.values) return { value: row.values.ms, unit: 'ms' };
  if ('peak' in row.values) return { value: row.values.peak, unit: 'MiB peak' };
  if ('perSessionMiB' in row.values) return { value: row.values.perSessionMiB, unit: 'MiB / session' };
  return undefined;
}

export function renderChart(report: Report): string {
  const sections = [...new Set(report.rows.map((row) => row.section))];
  const parts: string[] = [];
  let y = 40;
  for (const section of sections) {
    const rows = report.rows.filter((row) => row.section === section && mainFigure(row));
    if (rows.length === 0) continue;
    const max = Math.max(...rows.map((row) => mainFigure(row)!.value));
    parts.push(`<text x="10" y="${y}" class="section">${escape(section)}</text>`);
    y += 10;
    for (const row of rows) {
      const { value, unit } = mainFigure(row)!;
      const width = max > 0 ? ((WIDTH - LABEL - 190) * value) / max : 0;
      const ours = row.path.startsWith('mcproxy');
      const ratio = row.ratio === undefined ? '' : unit === 'calls/s' ? ` (${(row.ratio * 100).toFixed(0)} %)` : ` (${row.ratio.toFixed(2)}×)`;
      parts.push(`<text x="${LABEL - 8}" y="${y + BAR - 4}" class="label">${escape(row.path)}</text>`);
      parts.push(`<rect x="${LABEL}" y="${y}" width="${width.toFixed(1)}" height="${BAR}" class="${ours ? 'ours' : 'other'}"/>`);
      parts.push(`<text x="${(LABEL + width + 6).toFixed(1)}" y="${y + BAR - 4}" class="value">${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}${ratio}</text>`);
      y += BAR + GAP;
    }
    y += 22;
  }
  const { machine } = report;
  const caption = `${machine.date.slice(0, 10)} · ${machine.cpus} · Node ${machine.node} · SDK ${machine.sdk ?? '?'} · load ${machine.loadAverage} · mcproxy ${machine.commit ?? ''}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 10}" viewBox="0 0 ${WIDTH} ${y + 10}" font-family="sans-serif">`,
    '<style>.section{font-size:14px;font-weight:bold}.label{font-size:12px;text-anchor:end}.value{font-size:11px}.ours{fill:#2b6cb0}.other{fill:#a0aec0}.caption{font-size:11px;fill:#555}</style>',
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" class="caption">${escape(caption)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
