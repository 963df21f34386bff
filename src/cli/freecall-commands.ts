import type { Command } from 'commander';
import { SnetError } from '../errors/index.ts';
import type { FreeCallCounters } from '../payments/index.ts';
import { addConfigFlags } from './config-flags.ts';
import { writeLine, type CliIo } from './cli-io.ts';
import { withPaymentContext } from './payments-commands.ts';

// Operator commands over the free-call counters (Go `snetd freecall list|reset|unlock`) and the issuing of
// pre-v6 free-call tokens for the npm snet-sdk 2.0.0 / snet-sdk-web 4.2.2 (nothing else issues them today).

/** The chain helpers (viem) load only when a freecall command runs: `snetd --help` lists these commands without them. */
const blockchain = (): Promise<typeof import('../blockchain/index.ts')> => import('../blockchain/index.ts');

/** Longest pre-v6 token lifetime offered, in blocks (as v6 tokens: about 24 days at 12 s a block). */
const MAX_LEGACY_LIFETIME_BLOCKS = 172_800n;

async function userOf(flags: Record<string, unknown>): Promise<{ signerHex: string; userId: string }> {
  const address = typeof flags['address'] === 'string' ? flags['address'] : '';
  const bytes = (await blockchain()).parseAddress(address);
  if (bytes === undefined) throw new SnetError('CONFIG_INVALID', `--address "${address}" is not an address`, { hint: 'Pass the user\'s 0x address (any case) with -a.' });
  return { signerHex: Buffer.from(bytes).toString('hex'), userId: typeof flags['userId'] === 'string' ? flags['userId'] : '' };
}

function withoutOwnFlags(flags: Record<string, unknown>, own: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flags).filter(([key]) => !own.includes(key)));
}

/** Registers `snetd freecall list|reset|unlock|token`. */
export function registerFreeCallCommands(program: Command, io: CliIo): void {
  const freecall = program.command('freecall').description('free-call counters of this service (shared by the replicas of the group)');
  addConfigFlags(freecall.command('list').description('every user who made free calls, with calls used and calls in flight').option('--json', 'print JSON')).action(
    async (flags: Record<string, unknown>, command: Command) => {
      const { freeCallCountersOf } = await (await import('../app/index.ts')).freeCallTools();
      await withPaymentContext(io, withoutOwnFlags(flags, ['json']), command, async (context, config) => {
        const counters = await freeCallCountersOf(context, config).list();
        if (flags['json'] === true) {
          writeLine(io.stdout, JSON.stringify(counters.map((c) => ({ address: c.address, userId: c.userId, made: c.state.made, inFlight: c.state.pending.length })), null, 2));
          return;
        }
        if (counters.length === 0) writeLine(io.stdout, 'no free calls made yet');
        for (const c of counters) writeLine(io.stdout, `${c.address}${c.userId === '' ? '' : ` user "${c.userId}"`}: ${c.state.made} free calls used, ${c.state.pending.length} in flight`);
      });
    },
  );
  /** A command on one user's counter: `act` returns the line to print. */
  const userCommand = (name: string, description: string, act: (counters: FreeCallCounters, key: string, who: string) => Promise<string>): void => {
    addConfigFlags(freecall.command(name).description(description).requiredOption('-a, --address <address>', 'the user address').option('-u, --user-id <id>', 'the user id (marketplace users of a trusted signer)', '')).action(
      async (flags: Record<string, unknown>, command: Command) => {
        const user = await userOf(flags);
        const { toChecksumAddress } = await blockchain();
        const { freeCallCountersOf } = await (await import('../app/index.ts')).freeCallTools();
        await withPaymentContext(io, withoutOwnFlags(flags, ['address', 'userId']), command, async (context, config) => {
          const counters = freeCallCountersOf(context, config);
          writeLine(io.stdout, await act(counters, counters.keyOf(user), toChecksumAddress(user.signerHex)));
        });
      },
    );
  };
  userCommand('reset', 'give the user all their free calls again (count back to 0)', async (counters, key, who) =>
    (await counters.reset(key)) ? `free calls of ${who} reset to 0 used` : `${who} has made no free calls`,
  );
  userCommand('unlock', "end the user's free calls in flight at once (each counts as used), e.g. after a crash", async (counters, key, who) => {
    const ended = await counters.unlock(key);
    return ended === 0 ? `${who} has no free call in flight` : `${ended} free call(s) in flight of ${who} ended (counted as used)`;
  });
  addConfigFlags(
    freecall
      .command('token')
      .description('issue a pre-v6 free-call token (npm snet-sdk 2.0.0 / snet-sdk-web 4.2.2 options email, tokenToMakeFreeCall, tokenExpirationBlock), signed with private_key_for_free_calls')
      .requiredOption('--email <email>', 'the user id the SDK sends (options.email)')
      .requiredOption('--address <address>', 'the address of the key the user\'s SDK signs with')
      .option('--expiry-blocks <n>', `blocks from now until the token expires (at most ${MAX_LEGACY_LIFETIME_BLOCKS})`, String(MAX_LEGACY_LIFETIME_BLOCKS)),
  ).action(async (flags: Record<string, unknown>, command: Command) => {
    const { buildLegacyFreeCallTokenMessage, parseAddress, signMessage, toChecksumAddress } = await blockchain();
    const email = String(flags['email']);
    const address = parseAddress(String(flags['address']));
    if (address === undefined) throw new SnetError('CONFIG_INVALID', `--address "${String(flags['address'])}" is not an address`);
    const blocksText = String(flags['expiryBlocks']);
    if (!/^[0-9]+$/.test(blocksText) || BigInt(blocksText) > MAX_LEGACY_LIFETIME_BLOCKS) {
      throw new SnetError('CONFIG_INVALID', `--expiry-blocks "${blocksText}" is not a number of blocks up to ${MAX_LEGACY_LIFETIME_BLOCKS}`);
    }
    const { freeCallKeyAddress } = await (await import('../app/index.ts')).freeCallTools();
    await withPaymentContext(io, withoutOwnFlags(flags, ['email', 'address', 'expiryBlocks']), command, async (context, config) => {
      const keyAddress = freeCallKeyAddress(config);
      const signer = context.serviceGroup.freeCallSignerAddress;
      if (keyAddress === undefined) throw new SnetError('CONFIG_INVALID', 'private_key_for_free_calls is not set', { hint: 'Set it to the key of free_call_signer_address in the service metadata.' });
      if (signer === undefined || toChecksumAddress(signer) !== keyAddress) {
        throw new SnetError('CONFIG_INVALID', `private_key_for_free_calls (address ${keyAddress}) is not the service's free_call_signer_address (${signer ?? 'none in the metadata'}): its tokens would be refused`, {
          hint: 'Use the key of free_call_signer_address, or publish service metadata naming this key\'s address.',
        });
      }
      const expiry = (await context.chain.getBlockNumber()) + BigInt(blocksText);
      const token = signMessage(config.private_key_for_free_calls.trim(), buildLegacyFreeCallTokenMessage({ userId: email, userAddress: address, expiryBlock: expiry }));
      const tokenHex = Buffer.from(token).toString('hex');
      writeLine(io.stdout, JSON.stringify({ email, tokenToMakeFreeCall: tokenHex, tokenExpirationBlock: Number(expiry) }, null, 2));
      writeLine(io.stderr, `pre-v6 free-call token for ${email} / ${toChecksumAddress(address)}, valid until block ${expiry}; pass these three as snet-sdk createServiceClient options`);
    });
  });
}
