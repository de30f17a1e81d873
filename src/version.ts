// The proxy's version, from package.json, for --version and serverInfo.
import { readFileSync } from 'node:fs';

const packageJson = new URL('../../package.json', import.meta.url);

export const PROXY_VERSION: string = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
