// The HTML a tenant pastes into their site to embed a web form: a plain form posting (urlencoded) to the public
// endpoint the gateway serves, POST /api/v1/public/forms/{formId}, which admits the form's allowed origins.

export interface SnippetForm {
  id: string;
  name: string;
  fields: { name: string; label: string; mapsTo: string; required: boolean }[];
  consentText: string;
  honeypotField: string;
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function inputType(mapsTo: string): string {
  if (mapsTo === 'email') return 'email';
  if (mapsTo === 'phone') return 'tel';
  return 'text';
}

export function publicFormUrl(apiOrigin: string, formId: string): string {
  return `${apiOrigin.replace(/\/+$/, '')}/api/v1/public/forms/${encodeURIComponent(formId)}`;
}

export function formSnippet(form: SnippetForm, apiOrigin: string): string {
  const lines = [
    `<form method="post" action="${escapeHtml(publicFormUrl(apiOrigin, form.id))}" data-crm-form="${escapeHtml(form.id)}">`,
  ];
  for (const field of form.fields) {
    const id = `crm-${form.id}-${field.name}`;
    const label = escapeHtml(field.label || field.name);
    lines.push(
      `  <label for="${escapeHtml(id)}">${label}</label>`,
      `  <input id="${escapeHtml(id)}" name="${escapeHtml(field.name)}" type="${inputType(field.mapsTo)}"${field.required ? ' required' : ''}>`,
    );
  }
  if (form.honeypotField)
    // Bots fill every input; people never see this one. A filled one is accepted and ignored.
    lines.push(
      `  <input name="${escapeHtml(form.honeypotField)}" type="text" tabindex="-1" autocomplete="off" aria-hidden="true" style="position:absolute;left:-9999px">`,
    );
  if (form.consentText) lines.push(`  <p>${escapeHtml(form.consentText)}</p>`);
  lines.push('  <button type="submit">Send</button>', '</form>');
  return lines.join('\n') + '\n';
}
