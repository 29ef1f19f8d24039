// What other server processes may ask of this one's agent connections beyond the gateway's built-in
// signals: "send this device its pending deployments" (a deployment made in another process) and
// "send your agents the new lists" (ticket templates, the self-service catalog changed anywhere).
import type { Logger } from '../../shared/log.js';
import type { Deployer } from '../deploy/deployer.js';
import type { AgentGateway } from '../ingest/gateway.js';
import type { FleetBus } from './bus.js';

export const DEPLOY_SIGNAL = 'deploy';

export function listenAcrossProcesses(bus: FleetBus, gateway: AgentGateway, deployer: Deployer, log: Logger): void {
  gateway.onSignal(DEPLOY_SIGNAL, (session) => {
    const deviceId = session.deviceId;
    if (deviceId === null) return;
    deployer.pendingMessages(deviceId).then(
      (messages) => messages.forEach((m) => session.send(m)),
      (err: unknown) => log.warn({ deviceId, err: String(err) }, 'could not send the pending deployments'),
    );
  });
  bus.onWake('templates', () => gateway.pushTemplates());
  bus.onWake('self-service', () => gateway.pushSelfService());
}
