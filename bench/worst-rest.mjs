// The other sections of the worst valid snapshot (every collection at its limit, every text at its
// 1,024-character limit): shared by bench/hostile.mjs and bench/batch-cost.mjs.

/** Text at its 1,024-character limit, unique by `tag`. */
const long = (tag) => `${tag}-`.padEnd(1024, 'x');

/** Every section but software at its limits, every text at its longest. */
export function worstRest(SNAPSHOT_LIMITS) {
  const many = (n, make) => Array.from({ length: n }, (_, i) => make(i));
  const t = long;
  return {
    hardware: {
      manufacturer: t('m'),
      model: t('model'),
      serial: t('serial'),
      uuid: t('uuid'),
      sku: t('sku'),
      memory: {
        totalBytes: 2 ** 40,
        modules: many(256, (i) => ({ slot: t(`s${i}`), type: t('t'), manufacturer: t('m'), serial: t(`n${i}`), partNumber: t('p') })),
      },
      disks: many(256, (i) => ({ device: t(`d${i}`), type: t('t'), vendor: t('v'), model: t('m'), serial: t(`n${i}`), interface: t('i') })),
      graphics: many(64, (i) => ({ vendor: t(`v${i}`), model: t('m') })),
    },
    os: { platform: 'linux', hostname: t('hostile'), distro: t('d'), release: t('r'), kernel: t('k') },
    network: many(SNAPSHOT_LIMITS.network, (i) => ({
      name: t(`if${i}`),
      mac: t('mac'),
      ipv4: many(64, (j) => `${i}.${j}.`.padEnd(64, '0')),
      ipv6: many(64, (j) => `${i}:${j}:`.padEnd(64, '0')),
      virtual: false,
      type: t('type'),
    })),
    users: many(SNAPSHOT_LIMITS.users, (i) => ({ name: t(`u${i}`), domain: t('domain'), terminal: t('tty') })),
    volumes: many(SNAPSHOT_LIMITS.volumes, (i) => ({ mount: t(`/v${i}`) })),
    monitors: many(SNAPSHOT_LIMITS.monitors, (i) => ({ vendor: t('v'), model: t('m'), serial: t(`s${i}`) })),
    printers: many(SNAPSHOT_LIMITS.printers, (i) => ({ name: t(`p${i}`) })),
    accounts: many(SNAPSHOT_LIMITS.accounts, (i) => ({
      name: `a${i}`.padEnd(256, 'x'),
      admin: false,
      groups: many(4, (j) => `g${j}`.padEnd(256, 'x')),
    })),
    groups: many(SNAPSHOT_LIMITS.groups, (i) => ({
      name: `g${i}`.padEnd(256, 'x'),
      admin: false,
      members: many(4, (j) => `a${j}`.padEnd(256, 'x')),
    })),
    security: { firewall: 'on', diskEncryption: 'on' },
  };
}
