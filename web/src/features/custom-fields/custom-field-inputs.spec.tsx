// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { CustomFieldDefinition } from '../../api/types';
import { collectCustomFields, type RawFieldValue } from '../../domain/custom-fields';
import { CustomFieldInputs } from './custom-field-inputs';

const definitions: CustomFieldDefinition[] = [
  { key: 'budget', label: 'Budget', type: 'number', required: true },
  { key: 'renewal', label: 'Renewal date', type: 'date' },
  { key: 'vip', label: 'VIP', type: 'boolean', description: 'Key account' },
  {
    key: 'segment',
    label: 'Segment',
    type: 'single_select',
    options: [
      { value: 'smb', label: 'SMB' },
      { value: 'ent', label: 'Enterprise' },
    ],
  },
  {
    key: 'products',
    label: 'Products',
    type: 'multi_select',
    options: [
      { value: 'crm', label: 'CRM' },
      { value: 'desk', label: 'Helpdesk' },
    ],
  },
  { key: 'old', label: 'Old field', type: 'text', archived: true },
];

let collected: ReturnType<typeof collectCustomFields> | undefined;

function Form({ errors = {} }: { errors?: Record<string, string> }) {
  const [values, setValues] = useState<Record<string, RawFieldValue>>({});
  collected = collectCustomFields(definitions, values);
  return (
    <CustomFieldInputs
      definitions={definitions}
      values={values}
      errors={errors}
      onChange={(k, v) => setValues((s) => ({ ...s, [k]: v }))}
    />
  );
}

describe('a form built from custom-field definitions', () => {
  it('renders one labelled input per active field with the input its type needs', () => {
    render(<Form />);
    expect((screen.getByLabelText(/Budget/) as HTMLInputElement).type).toBe('number');
    expect((screen.getByLabelText('Renewal date') as HTMLInputElement).type).toBe('date');
    expect((screen.getByRole('checkbox', { name: 'Key account' }) as HTMLInputElement).type).toBe('checkbox');
    expect(screen.getByRole('combobox', { name: 'Segment' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Products' })).toBeTruthy();
    expect(screen.queryByLabelText('Old field')).toBeNull();
    expect(screen.getByLabelText(/Budget/).getAttribute('aria-required')).toBe('true');
  });

  it('turns what the user enters into typed values, and reports a missing required field', async () => {
    const user = userEvent.setup();
    render(<Form />);
    expect(collected?.errors).toEqual({ budget: 'Required' });
    await user.type(screen.getByLabelText(/Budget/), '1250.5');
    await user.click(screen.getByRole('checkbox', { name: 'Key account' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Segment' }), 'ent');
    await user.click(screen.getByRole('checkbox', { name: 'Helpdesk' }));
    await user.click(screen.getByRole('checkbox', { name: 'CRM' }));
    expect(collected).toEqual({
      values: { budget: 1250.5, vip: true, segment: 'ent', products: ['desk', 'crm'] },
      errors: {},
    });
  });

  it('shows the API’s field errors at their inputs', () => {
    render(<Form errors={{ 'customFields.budget': 'must be at most 1000' }} />);
    const input = screen.getByLabelText(/Budget/);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('must be at most 1000').id).toBe(input.getAttribute('aria-describedby'));
  });
});
