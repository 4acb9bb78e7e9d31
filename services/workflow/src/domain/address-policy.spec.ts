import { addressRefusal, checkWebhookUrl } from './address-policy';

describe('webhook address policy', () => {
  it.each([
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.100.100.200',
    '224.0.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::5',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
  ])('refuses %s in production', (address) => {
    expect(addressRefusal(address, 'production')).toBeDefined();
  });

  it('admits public unicast addresses, and loopback only in development', () => {
    expect(addressRefusal('93.184.216.34', 'production')).toBeUndefined();
    expect(addressRefusal('2606:2800:220:1:248:1893:25c8:1946', 'production')).toBeUndefined();
    expect(addressRefusal('127.0.0.1', 'development')).toBeUndefined();
    expect(addressRefusal('10.0.0.1', 'development')).toBeDefined();
  });

  it('wants https outside development and refuses credentials and local names', () => {
    expect(checkWebhookUrl('http://hooks.example.com/x', 'production').problem).toBe('must be https');
    expect(checkWebhookUrl('http://127.0.0.1:9/x', 'development').url).toBeDefined();
    expect(checkWebhookUrl('https://user:pw@hooks.example.com/', 'production').problem).toMatch(/credentials/);
    expect(checkWebhookUrl('https://localhost/x', 'production').problem).toMatch(/local/);
    expect(checkWebhookUrl('https://[fe80::1]/x', 'production').problem).toMatch(/non-public/);
  });
});
