// Tokens a client's model reads for tools/list, with and without search mode, for the default
// config (config/mcproxy.yaml: server-everything, server-memory, server-filesystem) and for
// the bench's large catalog (15 real servers, bench/search/tools.json). Counted with a real
// tokenizer: js-tiktoken's o200k_base encoding (GPT-4o and later), bundled in the package.
// Also: the tokens of one search_tools answer, which search mode adds per search.
//
//   npm run bench:search
import { getEncoding } from 'js-tiktoken';
import { toolSearchSettings } from '../src/toolSearch/settings.js';
import { defaultThesaurus } from '../src/toolSearch/thesaurus.js';
import { findTools, listedTools, searchViewOf } from '../src/toolSearch/view.js';
import { exposedTools, snapshots } from './search/corpus.js';

const encoding = getEncoding('o200k_base');
const tokens = (value: unknown) => encoding.encode(JSON.stringify(value)).length;

const DEFAULT_CONFIG = ['everything', 'memory', 'files'];
const catalogs = {
  'default config (3 servers)': exposedTools(snapshots().filter((server) => DEFAULT_CONFIG.includes(server.upstream))),
  'large catalog (15 servers)': exposedTools(),
};

const settings = toolSearchSettings({ toolSearch: { enabled: true }, profiles: {} });
const header = ['catalog', 'tools', 'tools/list tokens', 'search mode tools/list', 'saved', 'one search answer (8 tools)'];
console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
for (const [name, entries] of Object.entries(catalogs)) {
  const tools = entries.map((entry) => entry.tool);
  const upstreams = new Map(entries.map((entry) => [entry.tool.name, entry.document.upstream]));
  const view = searchViewOf(tools, (tool) => upstreams.get(tool)!, settings, defaultThesaurus());
  const full = tokens({ tools });
  const search = tokens({ tools: listedTools(view) });
  const answer = tokens({ tools: findTools(view, 'list the files in a folder', 8) });
  console.log(`| ${name} | ${tools.length} | ${full} | ${search} | ${(100 * (1 - search / full)).toFixed(1)} % | ${answer} |`);
}
console.log('\nTokens: js-tiktoken o200k_base over the JSON of the tools/list result (what a client hands its model).');
