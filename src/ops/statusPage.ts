// The /status page: the status report as one self-contained HTML document, the latency chart
// as inline SVG. No script, no external fetch (a strict CSP says so); it reloads itself.
import { formatDuration, notReadyText, type StatusReport, type UpstreamReport } from './statusReport.js';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
const STATE_COLORS: Record<string, string> = { up: '#16a34a', starting: '#ca8a04', down: '#dc2626', failed: '#991b1b', idle: '#6b7280', stopped: '#6b7280' };

/** The Content-Security-Policy the page is served with: nothing loads from anywhere. */
export const STATUS_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderStatusPage(report: StatusReport, refreshSeconds = 5): string {
  const { proxy } = report;
  const rows = report.upstreams.map((u, i) => row(u, COLORS[i % COLORS.length])).join('\n');
  const ready = report.notReady.length === 0;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="${refreshSeconds}">
<title>${escape(proxy.name)} status</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111;background:#fff}
h1{font-size:20px;margin:0 0 4px} .sub{color:#555;margin-bottom:16px}
table{border-collapse:collapse;margin-bottom:20px} th,td{padding:4px 10px;text-align:left;border-bottom:1px solid #e5e7eb}
th{font-weight:600;background:#f9fafb;white-space:nowrap} td.n{text-align:right;font-variant-numeric:tabular-nums}
.state{font-weight:600} .swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.ready{color:#16a34a} .notready{color:#dc2626} .err{color:#b91c1c;font-size:12px}
</style></head><body>
<h1>${escape(proxy.name)} <small>${escape(proxy.version)}</small></h1>
<div class="sub">pid ${proxy.pid}, ${escape(proxy.transport)}, up ${formatDuration(proxy.uptimeMs)} &middot; ${report.sessions.active} session(s) &middot;
<span class="${ready ? 'ready' : 'notready'}" id="readiness">${ready ? 'ready' : `not ready: ${escape(notReadyText(report))}`}</span></div>
<table id="upstreams"><thead><tr><th>Upstream</th><th>State</th><th>For</th><th>Restarts</th><th>Tools</th><th>Calls</th><th>Errors</th><th>p50 ms</th><th>p95 ms</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2 style="font-size:16px">Latency of the latest calls (ms)</h2>
${latencyChart(report.upstreams)}
</body></html>
`;
}

function row(u: UpstreamReport, color: string): string {
  const num = (value: number | undefined, digits = 0) => `<td class="n">${value === undefined ? '&ndash;' : value.toFixed(digits)}</td>`;
  const error = u.lastError && u.state !== 'up' ? `<div class="err">${escape(u.lastError)}</div>` : '';
  return `<tr data-upstream="${escape(u.name)}"><td><span class="swatch" style="background:${color}"></span>${escape(u.name)}${u.required ? ' <small>(required)</small>' : ''}${error}</td>` +
    `<td class="state" style="color:${STATE_COLORS[u.state] ?? '#111'}">${u.state}</td><td>${formatDuration(u.forMs)}</td>` +
    `${num(u.restarts)}${num(u.tools)}${num(u.calls)}${num(u.errors)}${num(u.p50Ms, 1)}${num(u.p95Ms, 1)}</tr>`;
}

/** One line per upstream over its latest calls, by time; failed calls as red dots. */
export function latencyChart(upstreams: readonly UpstreamReport[], width = 720, height = 240): string {
  const pad = { left: 48, right: 12, top: 10, bottom: 28 };
  const samples = upstreams.flatMap((u) => u.recent);
  if (samples.length === 0) return `<svg id="latency" xmlns="http://www.w3.org/2000/svg" width="${width}" height="60" role="img"><text x="8" y="30" fill="#6b7280">No calls yet.</text></svg>`;
  const t0 = Math.min(...samples.map((s) => s.at));
  const t1 = Math.max(...samples.map((s) => s.at), t0 + 1);
  const top = niceCeiling(Math.max(...samples.map((s) => s.ms), 1));
  const x = (at: number) => pad.left + ((at - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (ms: number) => height - pad.bottom - (ms / top) * (height - pad.top - pad.bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(f * top).toFixed(1)}" y2="${y(f * top).toFixed(1)}" stroke="#e5e7eb"/>` +
      `<text x="${pad.left - 6}" y="${(y(f * top) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#6b7280">${+(f * top).toFixed(2)}</text>`)
    .join('');
  const lines = upstreams
    .map((u, i) => {
      if (u.recent.length === 0) return '';
      const color = COLORS[i % COLORS.length];
      const points = u.recent.map((s) => `${x(s.at).toFixed(1)},${y(s.ms).toFixed(1)}`).join(' ');
      const failed = u.recent.filter((s) => !s.ok).map((s) => `<circle cx="${x(s.at).toFixed(1)}" cy="${y(s.ms).toFixed(1)}" r="3" fill="#dc2626"/>`).join('');
      const path = u.recent.length > 1 ? `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>` : '';
      return `<g data-upstream="${escape(u.name)}">${path}${u.recent.map((s) => `<circle cx="${x(s.at).toFixed(1)}" cy="${y(s.ms).toFixed(1)}" r="2" fill="${color}"/>`).join('')}${failed}</g>`;
    })
    .join('');
  const span = t1 - t0 < 10_000 ? `${((t1 - t0) / 1000).toFixed(1)}s` : formatDuration(t1 - t0);
  return `<svg id="latency" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="latency chart">` +
    `${grid}<line x1="${pad.left}" x2="${width - pad.right}" y1="${height - pad.bottom}" y2="${height - pad.bottom}" stroke="#9ca3af"/>` +
    `<text x="${pad.left}" y="${height - 8}" font-size="11" fill="#6b7280">${span} earlier</text><text x="${width - pad.right}" y="${height - 8}" font-size="11" fill="#6b7280" text-anchor="end">latest call</text>` +
    `${lines}</svg>`;
}

/** 1, 2, 5 × 10^n at or above `value`: round numbers on the axis. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((m) => m * power).find((n) => n >= value) ?? 10 * power);
}
