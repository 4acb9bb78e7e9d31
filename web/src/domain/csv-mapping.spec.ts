import { describe, expect, it } from 'vitest';
import { foldHeader, guessMapping, importFields, mappingList, rowErrorsCsv } from './csv-mapping';

describe('import column mapping', () => {
  it('maps typical headers by name and alias, each field once', () => {
    const fields = importFields('contact', [{ key: 'budget', label: 'Budget (EUR)' }]);
    expect(
      guessMapping(
        ['First Name', 'Nachname', 'E-Mail', 'Mobile', 'Company Website', 'Favourite colour', 'Phone', 'Budget (EUR)'],
        fields,
      ),
    ).toEqual({
      'First Name': 'first_name',
      Nachname: 'last_name',
      'E-Mail': 'email',
      Mobile: 'phone',
      'Company Website': 'company_domain',
      'Budget (EUR)': 'custom_fields.budget',
    });
  });

  it('maps company headers', () => {
    expect(guessMapping(['Company Name', 'Website', 'Employees', 'ZIP'], importFields('company'))).toEqual({
      'Company Name': 'name',
      Website: 'website',
      Employees: 'size',
      ZIP: 'postal_code',
    });
  });

  it('folds accents, case and punctuation', () => {
    expect(foldHeader(' Prénom ')).toBe('prenom');
    expect(foldHeader('E-mail_Address')).toBe('emailaddress');
  });

  it('sends only mapped columns', () => {
    expect(mappingList({ A: 'email', B: '', C: 'city' })).toEqual([
      { column: 'A', field: 'email' },
      { column: 'C', field: 'city' },
    ]);
  });

  it('writes row errors as CSV, quoting what needs it', () => {
    expect(rowErrorsCsv([{ row: 3, field: 'email', message: 'must be an email, not "x"' }])).toBe(
      'row,field,message\r\n3,email,"must be an email, not ""x"""\r\n',
    );
  });
});
