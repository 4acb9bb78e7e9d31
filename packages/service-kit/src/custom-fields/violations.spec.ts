import { joinPath, listForHumans, quoteList } from './violations';

describe('joinPath', () => {
  it('joins properties with dots and indexes with brackets', () => {
    expect(joinPath('definitions', [2, 'options', 0, 'value'])).toBe('definitions[2].options[0].value');
    expect(joinPath('', ['options', 1, 'label'])).toBe('options[1].label');
    expect(joinPath('customFields', ['budget'])).toBe('customFields.budget');
    expect(joinPath('', [])).toBe('');
  });
});

describe('listForHumans / quoteList', () => {
  it('lists short lists in full and shortens long ones', () => {
    expect(listForHumans(['a', 'b'])).toBe('a, b');
    expect(listForHumans(['a', 'b', 'c', 'd'], 2)).toBe('a, b (and 2 more)');
    expect(quoteList(['x', 'say "hi"'])).toBe('"x", "say \\"hi\\""');
  });
});
