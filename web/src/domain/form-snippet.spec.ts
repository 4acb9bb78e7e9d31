import { describe, expect, it } from 'vitest';
import { formSnippet, publicFormUrl } from './form-snippet';
import { countRuns, stepProgress } from './workflow-runs';

const FORM = {
  id: 'f1',
  name: 'Contact us',
  fields: [
    { name: 'email', label: 'Email', mapsTo: 'email', required: true },
    { name: 'first', label: 'First "name" <you>', mapsTo: 'first_name', required: false },
  ],
  consentText: 'We may contact you & keep your data.',
  honeypotField: 'website',
};

describe('the embeddable form snippet', () => {
  it('posts to the public endpoint of the form', () => {
    expect(publicFormUrl('https://crm.example.com/', 'f1')).toBe('https://crm.example.com/api/v1/public/forms/f1');
    expect(formSnippet(FORM, 'https://crm.example.com')).toContain(
      '<form method="post" action="https://crm.example.com/api/v1/public/forms/f1"',
    );
  });

  it('has an input per field with its type and requirement, labels escaped', () => {
    const html = formSnippet(FORM, 'https://crm.example.com');
    expect(html).toContain('<input id="crm-f1-email" name="email" type="email" required>');
    expect(html).toContain('<label for="crm-f1-first">First &quot;name&quot; &lt;you&gt;</label>');
    expect(html).toContain('<p>We may contact you &amp; keep your data.</p>');
  });

  it('hides the honeypot from people, and leaves it out when the form has none', () => {
    expect(formSnippet(FORM, 'https://x.test')).toMatch(/name="website"[^>]*aria-hidden="true"/);
    expect(formSnippet({ ...FORM, honeypotField: '' }, 'https://x.test')).not.toContain('aria-hidden');
  });
});

describe('run summaries', () => {
  it('count every run in its state', () => {
    expect(countRuns([{ status: 'succeeded' }, { status: 'failed' }, { status: 'succeeded' }])).toEqual({
      pending: 0,
      running: 0,
      waiting: 0,
      succeeded: 2,
      failed: 1,
      cancelled: 0,
    });
  });

  it('say how far a run got', () => {
    expect(stepProgress([{ status: 'succeeded' }, { status: 'skipped' }, { status: 'failed' }])).toBe(
      '2 of 3 steps done, 1 failed',
    );
    expect(stepProgress([{ status: 'pending' }])).toBe('0 of 1 step done');
  });
});
