// Renders docs/config.md from the schema, so the reference page cannot drift from the code.
import type { z } from 'zod';
import { configShape, getKeyDoc } from './schema.ts';
import { deprecatedAliases } from './aliases.ts';
import { defaultOf, objectShape, typeName } from './introspect.ts';
import { isSecretKey } from './mask.ts';

function showDefault(key: string, value: unknown): string {
  if (value === undefined) return '—';
  if (isSecretKey(key) && value !== '') return '(public test value — set your own)';
  return `\`${JSON.stringify(value)}\``;
}

function rows(shape: Record<string, z.ZodType>, prefix: string): string[] {
  const out: string[] = [];
  for (const [name, schema] of Object.entries(shape)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    const nested = objectShape(schema);
    const keyDoc = getKeyDoc(schema);
    if (nested !== undefined && keyDoc === undefined) {
      out.push(...rows(nested.shape, key));
      if (nested.open && key === 'log') {
        out.push('| `log.<hook name>` | object | — | A hook section named in `log.hooks`: `type` (`email` or `webhook`), `levels` (list), and the type\'s settings (email: `host`, `port`, `from`, `to`, `password`, `username`, `application_name`; webhook: `url`). |');
      }
      continue;
    }
    const notes = [keyDoc?.extension === true ? '*snetd-ts extension.*' : '', keyDoc?.unused === true ? '*Accepted, not used.*' : '', keyDoc?.secret === true ? '*Secret: never logged.*' : '']
      .filter((note) => note !== '')
      .join(' ');
    const description = `${keyDoc?.description ?? ''}${notes === '' ? '' : ` ${notes}`}`.replaceAll('|', '\\|');
    out.push(`| \`${key}\` | ${typeName(schema)} | ${showDefault(key, defaultOf(schema))} | ${description} |`);
  }
  return out;
}

/** The whole Markdown page. */
export function renderConfigDocs(): string {
  const aliasRows = [...deprecatedAliases].map(([oldKey, newKey]) => `| \`${oldKey}\` | \`${newKey}\` |`);
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'Sources, lowest to highest precedence: built-in defaults < config file (`-c/--config`, default',
    '`snetd.config.json` when it exists; JSON, or YAML for `.yaml`/`.yml`) < `SNET_*` environment variables <',
    'command-line flags. Keys are case-insensitive, as in the Go daemon, so existing files load unchanged.',
    '',
    '- **Environment:** `SNET_` + the upper-case key sets a top-level key (`SNET_DAEMON_ENDPOINT=0.0.0.0:8080`).',
    '  A double underscore reaches nested keys (`SNET_LOG__LEVEL=debug`, `SNET_LOG__OUTPUT__TYPE=stdout`) — a',
    '  snetd-ts extension. Object values may be given as JSON text.',
    '- **Flags:** `--daemon-endpoint`, `--service-endpoint`, `--log-level`, `--ssl-cert`, `--ssl-key`,',
    '  `--auto-ssl-domain`, `--auto-ssl-cache`, `-t/--type`, `-b/--blockchain`, `--passthrough`, and',
    '  `--set key=value` for any key (`--set log.output.type=stdout`).',
    '- **Loose values**, as the Go daemon reads them: `"true"`/`"1"`/`"t"` for booleans, `"10"` for numbers, one',
    '  string split on spaces or commas for lists.',
    '- **Validation** reports every problem at once, each with its key, where it came from and the value (secrets',
    '  masked); the daemon does not start. Unknown keys are warnings. Validation never touches the network.',
    '- `snetd config` prints the effective configuration (secrets hidden); `snetd init` / `snetd init-full` write',
    '  a minimal / complete file.',
    '',
    '| Key | Type | Default | Meaning |',
    '|---|---|---|---|',
    ...rows(configShape, ''),
    '',
    '## Deprecated names',
    '',
    'Accepted with a warning; when both the old and the new name are set, the new one wins (the Go daemon lets',
    'the old one win).',
    '',
    '| Old key | Use instead |',
    '|---|---|',
    ...aliasRows,
    '',
  ].join('\n');
}
