import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHost } from '../../test/fakes/host.js';
import { linuxSystemInfo, parseOsRelease, smbiosDate, type NodeOsFacts } from './system-linux.js';
import { collectSystem } from './system.js';
import { fakeSystemInfo, LAPTOP } from '../../test/fakes/system.js';

const nodeOs: NodeOsFacts = { totalmem: () => 16_482_533_376, release: () => '6.1.0-21-amd64', arch: () => 'x64' };

/** A ThinkPad's sysfs as the kernel shows it to root. */
function thinkpad(): FakeHost {
  const host = new FakeHost('linux', 'tp-14');
  const dmi = {
    sys_vendor: 'LENOVO',
    product_name: '20W0004GGE',
    product_serial: 'PF3ABCDE',
    product_uuid: '9c1e0d4a-2b7f-11b2-a85c-f1e2d3c4b5a6',
    product_sku: 'LENOVO_MT_20W0_BU_Think_FM_ThinkPad T14 Gen 2i',
    bios_vendor: 'LENOVO',
    bios_version: 'N34ET61W (1.61 )',
    bios_date: '04/11/2024',
    chassis_vendor: 'LENOVO',
    chassis_type: '10',
    chassis_serial: 'PF3ABCDE',
    chassis_asset_tag: 'No Asset Information',
  };
  for (const [name, value] of Object.entries(dmi)) host.file(`/sys/class/dmi/id/${name}`, `${value}\n`);
  host.file(
    '/sys/class/power_supply/BAT0/uevent',
    [
      'POWER_SUPPLY_NAME=BAT0',
      'POWER_SUPPLY_TYPE=Battery',
      'POWER_SUPPLY_STATUS=Discharging',
      'POWER_SUPPLY_CYCLE_COUNT=212',
      'POWER_SUPPLY_ENERGY_FULL_DESIGN=50500000',
      'POWER_SUPPLY_ENERGY_FULL=43430000',
      'POWER_SUPPLY_ENERGY_NOW=21000000',
      'POWER_SUPPLY_CAPACITY=48',
      'POWER_SUPPLY_MODEL_NAME=5B10W13975',
      'POWER_SUPPLY_MANUFACTURER=SMP',
      'POWER_SUPPLY_SERIAL_NUMBER= 1234',
    ].join('\n'),
  );
  host.file('/sys/class/power_supply/AC/uevent', 'POWER_SUPPLY_NAME=AC\nPOWER_SUPPLY_TYPE=Mains\nPOWER_SUPPLY_ONLINE=1\n');
  host.file(
    '/sys/class/power_supply/hidpp_battery_0/uevent',
    'POWER_SUPPLY_TYPE=Battery\nPOWER_SUPPLY_SCOPE=Device\nPOWER_SUPPLY_MODEL_NAME=MX Master 3\n',
  );
  host.file(
    '/etc/os-release',
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
  );
  host.command('hostname -f', 'tp-14.office.example.org\n');
  return host;
}

describe('linuxSystemInfo', () => {
  it('reads the system, BIOS and chassis from DMI in sysfs', async () => {
    const si = linuxSystemInfo(thinkpad(), nodeOs);
    assert.deepEqual(await si.system(), {
      manufacturer: 'LENOVO',
      model: '20W0004GGE',
      serial: 'PF3ABCDE',
      uuid: '9c1e0d4a-2b7f-11b2-a85c-f1e2d3c4b5a6',
      sku: 'LENOVO_MT_20W0_BU_Think_FM_ThinkPad T14 Gen 2i',
    });
    assert.deepEqual(await si.bios(), { vendor: 'LENOVO', version: 'N34ET61W (1.61 )', releaseDate: '2024-04-11' });
    assert.deepEqual(await si.chassis(), {
      manufacturer: 'LENOVO',
      type: 'Notebook',
      serial: 'PF3ABCDE',
      assetTag: 'No Asset Information',
    });
  });

  it('reads the laptop battery and ignores a wireless mouse battery and the charger', async () => {
    const battery = await linuxSystemInfo(thinkpad(), nodeOs).battery();
    assert.deepEqual(battery, {
      hasBattery: true,
      manufacturer: 'SMP',
      model: '5B10W13975',
      serial: '1234',
      designedCapacity: 50_500,
      maxCapacity: 43_430,
      capacityUnit: 'mWh',
      cycleCount: 212,
    });
  });

  it('reads the OS from os-release, the kernel from Node and the FQDN from hostname -f', async () => {
    assert.deepEqual(await linuxSystemInfo(thinkpad(), nodeOs).osInfo(), {
      distro: 'Debian GNU/Linux',
      release: '12',
      codename: 'bookworm',
      build: '',
      kernel: '6.1.0-21-amd64',
      arch: 'x64',
      hostname: 'tp-14',
      fqdn: 'tp-14.office.example.org',
    });
  });

  it('gives empty values, never an error, where a container has no DMI, battery or hostname tool', async () => {
    const host = new FakeHost('linux', 'vm');
    host.file('/usr/lib/os-release', 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
    const si = linuxSystemInfo(host, nodeOs);
    assert.deepEqual(await si.system(), { manufacturer: '', model: '', serial: '', uuid: '', sku: '' });
    assert.equal((await si.battery()).hasBattery, false);
    const os = await si.osInfo();
    assert.equal(os.fqdn, 'vm');
    assert.equal(os.release, '12');
    const { hardware } = await collectSystem({ ...fakeSystemInfo(LAPTOP), ...si }, host);
    assert.equal(hardware.serial, undefined);
    assert.equal(hardware.bios, undefined);
  });

  it('names an ARM board from the device tree when there is no DMI', async () => {
    const host = new FakeHost('linux')
      .file('/proc/device-tree/model', 'Raspberry Pi 4 Model B Rev 1.4\0')
      .file('/proc/device-tree/serial-number', '10000000a1b2c3d4\0');
    const system = await linuxSystemInfo(host, nodeOs).system();
    assert.equal(system.model, 'Raspberry Pi 4 Model B Rev 1.4');
    assert.equal(system.serial, '10000000a1b2c3d4');
  });
});

describe('linuxSystemInfo users', () => {
  it('lists the sessions `who` prints', async () => {
    const host = new FakeHost('linux').command(
      'who',
      'alice    tty2         2024-05-02 09:12 (tty2)\nbob      pts/0        2024-05-02 10:01 (10.0.0.5)\n',
    );
    assert.deepEqual(await linuxSystemInfo(host, nodeOs).users(), [
      { user: 'alice', tty: 'tty2' },
      { user: 'bob', tty: 'pts/0' },
    ]);
  });

  it('has no sessions where who is not installed, and fails where who fails', async () => {
    assert.deepEqual(await linuxSystemInfo(new FakeHost('linux'), nodeOs).users(), []);
    const broken = new FakeHost('linux').command('who', { stdout: '', stderr: 'who: cannot open utmp', code: 1 });
    await assert.rejects(linuxSystemInfo(broken, nodeOs).users(), /who exited with 1/);
  });
});

describe('smbiosDate', () => {
  it('reads SMBIOS mm/dd/yyyy dates month first', () => {
    assert.equal(smbiosDate('04/11/2024'), '2024-04-11');
    assert.equal(smbiosDate('1/2/99'), '1999-01-02');
    assert.equal(smbiosDate('2024-04-11'), '2024-04-11');
  });
});

describe('parseOsRelease', () => {
  it('takes the point release from PRETTY_NAME as systeminformation does', () => {
    const ubuntu =
      'NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\nVERSION_CODENAME=jammy\n';
    assert.deepEqual(parseOsRelease(ubuntu), { distro: 'Ubuntu', release: '22.04.4 LTS', codename: 'jammy', build: '' });
    const arch = 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nBUILD_ID=rolling\n';
    assert.deepEqual(parseOsRelease(arch), { distro: 'Arch Linux', release: '', codename: '', build: 'rolling' });
  });
});
