// The two paid `snetd dev call`s every `snetd dev` test makes: add(2, 3), then mul(4, 5), 1 cog each (2 signed in total).
import assert from 'node:assert/strict';
import { runSnetd } from './run-cli.ts';

/** Runs `snetd dev call add 2 3` then `mul 4 5` against the dev network in `dataDir` and checks both answers. */
export async function assertTwoPaidDevCalls(dataDir: string, cwd: string): Promise<void> {
  const first = await runSnetd(['dev', 'call', 'add', '2', '3', '--data-dir', dataDir], { cwd });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /add\(2, 3\) = 5 {2}\(price 1 cog; channel 0 signed amount now 1 cog\)/);
  const second = await runSnetd(['dev', 'call', 'mul', '4', '5', '--data-dir', dataDir], { cwd });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /mul\(4, 5\) = 20 {2}\(price 1 cog; channel 0 signed amount now 2 cogs\)/);
}
