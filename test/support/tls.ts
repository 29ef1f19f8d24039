// A private CA and a server certificate for 127.0.0.1/localhost, made with openssl for one test run.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

export async function makeTestPki(dir: string): Promise<TestPki> {
  const p = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => exec('openssl', args);
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Outpost Test CA',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
  );
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', p('server.key'), '-out', p('server.csr'));
  await exec('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > '${p('ext.cnf')}'`]);
  await openssl(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    p('ext.cnf'),
    '-out',
    p('server.pem'),
  );
  return { caCert: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key') };
}
