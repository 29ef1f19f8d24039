import { defaultStateDir, localApiPath } from '../../agent/paths.js';
import { callAgent } from '../../agent/local-api/client.js';

export async function scanNowCommand(flags: { json?: boolean; state?: string }): Promise<void> {
  const stateDir = flags.state ?? defaultStateDir();
  const result = await callAgent(localApiPath(stateDir), 'scan.now', {});
  if (flags.json) console.log(JSON.stringify(result));
  else
    console.log(
      result.changed ? `Scanned: changes recorded, ${result.pendingItems} item(s) waiting for the server.` : 'Scanned: nothing changed.',
    );
}
