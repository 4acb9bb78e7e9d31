import { contactSearchTokens, edgeNgrams, queryTerms, scoreContact } from './search-tokens';

const zoe = {
  firstName: 'Zoë',
  lastName: 'Saldaña',
  emails: [{ address: 'zoe.s@films.example' }],
  phones: [{ number: '+14155550100' }],
  companyName: 'Avatar Films',
};

describe('search tokens', () => {
  it('stores every prefix of every word, so a prefix query is an equality match', () => {
    expect(edgeNgrams('zoe')).toEqual(['z', 'zo', 'zoe']);
    const tokens = contactSearchTokens(zoe);
    for (const token of [
      'zoe',
      'sald',
      'saldana',
      'zoe.s@films.exa',
      'films',
      'avatar',
      '4155550100',
      '14155550100',
      '415',
    ])
      expect(tokens).toContain(token);
    expect(tokens).not.toContain('zoë');
    // Prefixes stop at MAX_PREFIX_LENGTH; query terms are cut the same way, so long input still matches.
    expect(tokens).not.toContain('zoe.s@films.example');
    expect(queryTerms('zoe.s@films.example')).toEqual(['zoe.s@films.exa']);
  });

  it('reads queries as phone digits, whole emails or folded words', () => {
    expect(queryTerms('+1 (415) 555-0100')).toEqual(['14155550100']);
    expect(queryTerms('4155550100')).toEqual(['4155550100']);
    expect(queryTerms('ZOË  Sal')).toEqual(['zoe', 'sal']);
    expect(queryTerms('Zoe.S@Films')).toEqual(['zoe.s@films']);
    expect(queryTerms('   ')).toEqual([]);
    expect(queryTerms('a b c d e f')).toHaveLength(4);
  });

  it('ranks a whole name above a prefix, and a name above a company', () => {
    const exact = scoreContact(zoe, ['zoe']);
    const prefix = scoreContact(zoe, ['zo']);
    const company = scoreContact({ ...zoe, firstName: 'Ann', lastName: 'Lee', emails: [] }, ['avatar']);
    expect(exact).toBe(1);
    expect(prefix).toBeLessThan(exact);
    expect(company).toBeLessThan(exact);
    expect(scoreContact(zoe, ['nothing'])).toBe(0);
  });
});
