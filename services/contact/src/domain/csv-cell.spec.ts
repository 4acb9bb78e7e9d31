import { csvSafeCell } from './csv-cell';

describe('csvSafeCell', () => {
  it.each(['=HYPERLINK("http://x.example","y")', '+cmd|x', '-2+3+cmd', '@SUM(A1)', '\t=1', '\r=1'])(
    'neutralises %j',
    (value) => expect(csvSafeCell(value)).toBe(`'${value}`),
  );

  it.each(['Ada', '+1 555 0100', '-12.5', '(0) 30 1234', '', 'a=b'])('leaves %j as it is', (value) =>
    expect(csvSafeCell(value)).toBe(value),
  );
});
