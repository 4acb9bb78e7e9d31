import {
  foldText,
  nationalDigits,
  normalizeDomain,
  normalizeEmail,
  normalizePhone,
  normalizeTags,
  normalizeWebsite,
  words,
} from './normalize';

describe('normalisation', () => {
  it('lower-cases and validates emails', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toEqual({ ok: true, value: 'ada@example.com' });
    expect(normalizeEmail('ada@')).toMatchObject({ ok: false });
    expect(normalizeEmail('')).toEqual({ ok: false, problem: 'is required' });
  });

  it('writes phones in E.164 with the default region', () => {
    expect(normalizePhone('(415) 555-0100', 'US')).toEqual({ ok: true, value: '+14155550100' });
    expect(normalizePhone('020 7946 0000', 'GB')).toEqual({ ok: true, value: '+442079460000' });
    expect(normalizePhone('+33 1 44 27 00 00', 'US')).toEqual({ ok: true, value: '+33144270000' });
    expect(normalizePhone('415 555 0100', undefined)).toMatchObject({ ok: false });
    expect(normalizePhone('+1 415 555 0100 ext. 12', 'US')).toEqual({
      ok: false,
      problem: 'must not include an extension',
    });
    expect(nationalDigits('+14155550100')).toBe('4155550100');
  });

  it('folds case and accents, including letters Unicode does not decompose', () => {
    expect(foldText('Zoë Saldaña')).toBe('zoe saldana');
    expect(foldText('Søren Straße Łódź')).toBe('soren strasse lodz');
    expect(words("O'Brien-Smith, Jr.")).toEqual(['o', 'brien', 'smith', 'jr']);
  });

  it('derives a domain from a domain, a website or an email', () => {
    expect(normalizeDomain('https://www.Initech.com/about?x=1')).toEqual({ ok: true, value: 'initech.com' });
    expect(normalizeDomain('gavin@Hooli.io')).toEqual({ ok: true, value: 'hooli.io' });
    expect(normalizeDomain('sub.example.co.uk:8080')).toEqual({ ok: true, value: 'sub.example.co.uk' });
    expect(normalizeDomain('not a domain')).toMatchObject({ ok: false });
    expect(normalizeDomain('localhost')).toMatchObject({ ok: false });
    expect(normalizeWebsite('example.com')).toEqual({ ok: true, value: 'https://example.com/' });
    expect(normalizeWebsite('javascript:alert(1)')).toMatchObject({ ok: false });
  });

  it('makes tags unique, trimmed and lower case', () => {
    expect(normalizeTags([' VIP ', 'vip', 'Big  Deal', ''])).toEqual(['vip', 'big deal']);
  });
});
