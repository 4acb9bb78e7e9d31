import { parseSearchQuery, phoneSearchDigits, scoreContact } from './search-query';

const zoe = {
  firstName: 'Zoë',
  lastName: 'Saldaña',
  emails: [{ address: 'zoe.s@films.example' }],
  phones: [{ number: '+14155550100' }],
  companyName: 'Avatar Films',
};
const words = (...terms: string[]) => ({ kind: 'words' as const, terms });

describe('search queries', () => {
  it('reads queries as phone digits, whole emails or words, and drops terms shorter than two characters', () => {
    expect(parseSearchQuery('+1 (415) 555-0100')).toEqual({ kind: 'phone', terms: ['14155550100'] });
    expect(parseSearchQuery('4155550100')).toEqual({ kind: 'phone', terms: ['4155550100'] });
    expect(parseSearchQuery('ZOË  Sal')).toEqual(words('ZOË', 'Sal'));
    expect(parseSearchQuery('Zoe.S@Films')).toEqual({ kind: 'email', terms: ['zoe.s@films'] });
    expect(parseSearchQuery('   ')).toBeUndefined();
    expect(parseSearchQuery('z')).toBeUndefined();
    expect(parseSearchQuery('zo e')).toEqual(words('zo'));
    expect(parseSearchQuery('ab cd ef gh ij kl')?.terms).toHaveLength(4);
  });

  it('finds a phone by all its digits and by its national number', () => {
    expect(phoneSearchDigits('+14155550100')).toEqual(['14155550100', '4155550100']);
    expect(phoneSearchDigits('+442079460958')).toEqual(['442079460958', '2079460958']);
  });

  it('ranks a whole name above a prefix, and a name above a company', () => {
    const exact = scoreContact(zoe, words('zoe'));
    const prefix = scoreContact(zoe, words('zo'));
    const company = scoreContact({ ...zoe, firstName: 'Ann', lastName: 'Lee', emails: [] }, words('avatar'));
    expect(exact).toBe(1);
    expect(prefix).toBeLessThan(exact);
    expect(company).toBeLessThan(exact);
    expect(scoreContact(zoe, words('nothing'))).toBe(0);
    expect(scoreContact(zoe, { kind: 'phone', terms: ['415555'] })).toBeGreaterThan(0.6);
    expect(scoreContact(zoe, words('ZOË'))).toBe(1);
  });
});
