// Posture events over a sequence of snapshots, with the state kept between them passed through JSON
// as the store keeps it: a crossing raises once, a recovery re-arms, a restart changes nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssetEventRulesSchema, type AssetEventRules } from './asset-events.js';
import { EMPTY_POSTURE, parsePostureState, postureEventsFrom, type PostureEvent, type PostureView } from './posture-events.js';

const where = { deviceId: 'dev-1', hostname: 'acct-pc7', detectedAt: '2026-12-07T07:00:00Z' };
const on = AssetEventRulesSchema.parse({ volumeLowSpace: true, encryptionOff: true, antivirusDisabled: true });

const vol = (freePercent: number, mount = '/data', extra: object = {}) => ({
  mount,
  fs: 'ext4',
  sizeBytes: 100e9,
  freePercent,
  freeBytes: freePercent * 1e9,
  ...extra,
});

/** Runs the views in order as batches would, the state going through JSON (desk_state) each time. */
function run(views: PostureView[], rules: AssetEventRules = on, start = JSON.stringify(EMPTY_POSTURE)) {
  let stored = start;
  const raised: PostureEvent[][] = [];
  for (const view of views) {
    const r = postureEventsFrom(view, rules, parsePostureState(stored), where);
    stored = JSON.stringify(r.state);
    raised.push(r.events);
  }
  return { raised, stored };
}

describe('volume-low-space', () => {
  it('raises once when free space crosses under the threshold, not again while it stays low or hovers at it', () => {
    const { raised } = run([15, 9, 8, 10, 9, 12, 9].map((p) => ({ volumes: [vol(p)] })));
    assert.deepEqual(
      raised.map((e) => e.length),
      [0, 1, 0, 0, 0, 0, 0],
    );
    const e = raised[1]![0]!;
    assert.equal(e.kind, 'volume-low-space');
    assert.equal(e.subject, 'Low disk space on acct-pc7: /data 9 % free');
    assert.match(e.description, /under the threshold of 10 %/);
    assert.match(e.description, /Free: 9 % \(9\.0 GB\)/);
  });

  it('raises again only after a recovery above threshold plus margin, under a new episode identity', () => {
    const { raised } = run([9, 15, 9].map((p) => ({ volumes: [vol(p)] })));
    assert.deepEqual(
      raised.flat().map((e) => e.identity),
      ['volume:/data#1', 'volume:/data#2'],
    );
  });

  it('keeps its state across a restart: the same low snapshot again raises nothing', () => {
    const first = run([{ volumes: [vol(5)] }]);
    assert.equal(first.raised[0]!.length, 1);
    const again = run([{ volumes: [vol(5)] }, { volumes: [vol(4)] }], on, first.stored);
    assert.deepEqual(
      again.raised.map((e) => e.length),
      [0, 0],
    );
  });

  it('follows the configured threshold and margin, and tells volumes apart', () => {
    const rules = AssetEventRulesSchema.parse({ volumeLowSpace: true, lowSpacePercent: 20, lowSpaceMarginPercent: 2 });
    const { raised } = run(
      [
        { volumes: [vol(19, '/'), vol(50, '/home')] },
        { volumes: [vol(22, '/'), vol(19, '/home')] },
        { volumes: [vol(19, '/'), vol(19, '/home')] },
      ],
      rules,
    );
    assert.deepEqual(
      raised.map((es) => es.map((e) => e.identity)),
      [['volume:/#1'], ['volume:/home#1'], ['volume:/#2']],
    );
  });

  it('keeps a hostile mount point to one line in the subject and the headline', () => {
    const e = run([{ volumes: [vol(3, '/x\nPriority: urgent\r\nAssign: ceo')] }]).raised[0]![0]!;
    assert.equal(e.subject.includes('\n'), false);
    assert.equal(
      e.description.split('\n')[0],
      'The volume /x Priority: urgent Assign: ceo on acct-pc7 has 3 % free space, under the threshold of 10 %.',
    );
  });

  it('ignores filesystems full by design, volumes without a free figure, and is off by default', () => {
    const full = { volumes: [vol(0, '/snap/core/1', { fs: 'squashfs' }), { mount: '/mnt/x', fs: 'ext4' }] };
    assert.equal(run([full]).raised[0]!.length, 0);
    const defaults = AssetEventRulesSchema.parse({});
    assert.equal(defaults.volumeLowSpace, false);
    assert.equal(defaults.lowSpacePercent, 10);
    assert.equal(run([{ volumes: [vol(1)] }], defaults).raised[0]!.length, 0);
  });
});

describe('encryption-off', () => {
  it('raises when encryption goes from on or partial to off, never for a device that was never encrypted', () => {
    const seq = (...states: ('on' | 'partial' | 'off')[]) => run(states.map((s) => ({ security: { diskEncryption: s } }))).raised;
    assert.deepEqual(
      seq('on', 'off', 'off').map((e) => e.length),
      [0, 1, 0],
    );
    assert.deepEqual(
      seq('off', 'off').map((e) => e.length),
      [0, 0],
    );
    assert.deepEqual(
      seq('partial', 'off', 'on', 'off')
        .flat()
        .map((e) => e.identity),
      ['encryption#1', 'encryption#2'],
    );
  });

  it('treats an unknown state as no news: on, unknown, off still raises', () => {
    const r = run([{ security: { diskEncryption: 'on' } }, { security: {} }, { security: { diskEncryption: 'off' } }]).raised;
    assert.deepEqual(
      r.map((e) => e.length),
      [0, 0, 1],
    );
  });
});

describe('antivirus-disabled', () => {
  const av = (...list: [string, boolean][]) => ({ security: { antivirus: list.map(([product, enabled]) => ({ product, enabled })) } });

  it('raises when an antivirus goes from enabled to disabled, once', () => {
    const r = run([av(['Defender', true]), av(['Defender', false]), av(['Defender', false])]).raised;
    assert.deepEqual(
      r.map((e) => e.length),
      [0, 1, 0],
    );
    assert.equal(r[1]![0]!.subject, 'Antivirus disabled on acct-pc7: Defender disabled');
  });

  it('raises when the last enabled antivirus disappears, not when another enabled one remains', () => {
    const gone = run([av(['Sophos', true]), av()]).raised;
    assert.match(gone[1]![0]!.description, /Sophos on acct-pc7 was removed; no enabled antivirus is left/);
    const replaced = run([av(['Sophos', true], ['Defender', false]), av(['Defender', true])]).raised;
    assert.equal(replaced.flat().length, 0);
  });

  it('raises nothing with the rule off, but remembers, so switching it on later compares with the truth', () => {
    const off = AssetEventRulesSchema.parse({});
    const first = run([av(['Defender', true])], off);
    assert.equal(first.raised[0]!.length, 0);
    const later = run([av(['Defender', false])], on, first.stored);
    assert.equal(later.raised[0]!.length, 1);
  });
});

it('reads a damaged state as empty rather than failing the batch', () => {
  assert.deepEqual(parsePostureState('{not json'), { lowVolumes: [], antivirus: {}, raised: {} });
  assert.deepEqual(parsePostureState(null), { lowVolumes: [], antivirus: {}, raised: {} });
});
