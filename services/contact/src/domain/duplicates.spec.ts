import { nameKey, nameSimilarity, scoreDuplicate, type DuplicateSubject } from './duplicates';

const person = (overrides: Partial<DuplicateSubject>): DuplicateSubject => ({
  id: 'x',
  firstName: '',
  lastName: '',
  emails: [],
  phones: [],
  companyDomain: '',
  ...overrides,
});

describe('duplicate scoring', () => {
  const subject = person({
    id: 'a',
    firstName: 'Jonathan',
    lastName: 'Smith',
    emails: [{ address: 'j@x.io' }],
    phones: [{ number: '+14155550100' }],
    companyDomain: 'x.io',
  });

  it('names each reason and combines them', () => {
    expect(scoreDuplicate(subject, person({ emails: [{ address: 'j@x.io' }] }))).toEqual({
      score: 0.95,
      reasons: ['same_email'],
    });
    expect(scoreDuplicate(subject, person({ phones: [{ number: '+14155550100' }] })).reasons).toEqual(['same_phone']);
    expect(
      scoreDuplicate(subject, person({ firstName: 'jonathan', lastName: 'SMITH', companyDomain: 'x.io' })).reasons,
    ).toEqual(['same_name_same_company_domain']);
    expect(scoreDuplicate(subject, person({ firstName: 'Jonathon', lastName: 'Smith' })).reasons).toEqual([
      'similar_name',
    ]);
    const both = scoreDuplicate(
      subject,
      person({ emails: [{ address: 'j@x.io' }], phones: [{ number: '+14155550100' }] }),
    );
    expect(both.reasons).toEqual(['same_email', 'same_phone']);
    expect(both.score).toBeGreaterThan(0.95);
    expect(scoreDuplicate(subject, person({ firstName: 'Maria', lastName: 'Garcia' }))).toEqual({
      score: 0,
      reasons: [],
    });
  });

  it('folds names and measures similarity', () => {
    expect(nameKey({ firstName: 'Zoë', lastName: "O'Neil" })).toBe('zoe o neil');
    expect(nameSimilarity('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(nameSimilarity('abc', 'xyz')).toBe(0);
  });
});
