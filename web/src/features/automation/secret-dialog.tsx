// A secret the API shows once (a webhook's signing secret, a form's HMAC key): shown with a copy button and a
// warning that it will not be shown again.
import { Check, Copy } from 'lucide-react';
import { useState } from 'react';
import { Dialog } from '../../ui/dialog';
import { copyText } from './copy-text';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-sm"
      onClick={() =>
        void copyText(text).then((ok) => {
          setCopied(ok);
          if (ok) window.setTimeout(() => setCopied(false), 2000);
        })
      }
    >
      {copied ? <Check size={15} aria-hidden="true" /> : <Copy size={15} aria-hidden="true" />}
      {copied ? 'Copied' : label}
    </button>
  );
}

export function SecretDialog({
  secret,
  title,
  onClose,
}: {
  secret: string | undefined;
  title: string;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={secret !== undefined}
      onClose={onClose}
      title={title}
      description="Copy it now: it is shown only this once. Receivers verify signatures with it."
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          I have stored it
        </button>
      }
    >
      <div className="row wrap" style={{ gap: 8 }}>
        <code className="secret" data-testid="secret">
          {secret}
        </code>
        {secret ? <CopyButton text={secret} label="Copy secret" /> : null}
      </div>
    </Dialog>
  );
}
