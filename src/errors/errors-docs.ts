import { errorCatalogue } from './codes.ts';

/** Renders docs/errors.md from the catalogue. */
export function renderErrorDocs(): string {
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from src/errors/codes.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'Every error the daemon reports carries one of these stable codes: in log lines (`code` field), in CLI',
    'output (`Error [CODE]: …`) and, for calls, mapped to a gRPC status by the transport. Messages name the',
    'offending value; the hint says how to fix it. Internal causes are logged, never sent to clients.',
    '',
    '| Code | Area | Meaning | How to fix |',
    '|---|---|---|---|',
  ];
  for (const [code, entry] of Object.entries(errorCatalogue)) {
    lines.push(`| \`${code}\` | ${entry.area} | ${entry.meaning.replaceAll('|', '\\|')} | ${entry.fix.replaceAll('|', '\\|')} |`);
  }
  lines.push('');
  return lines.join('\n');
}
