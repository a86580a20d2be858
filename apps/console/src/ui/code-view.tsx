import { useState } from 'preact/hooks';
import { byteLength, bytes } from '../format';
import { isJson, prettyJson } from '../pretty-json';
import { CopyButton } from './copy-button';

/** A body as text: JSON indented (from its exact bytes), with the exact bytes one click away. */
export function CodeView({ text, label, note }: { text: string; label: string; note?: string }) {
  const json = isJson(text);
  const [exact, setExact] = useState(false);
  return (
    <figure class="code">
      <figcaption>
        <span>
          {label} · {bytes(byteLength(text))}
          {note ? ` · ${note}` : ''}
        </span>
        <span class="row">
          {json ? (
            <label class="small">
              <input type="checkbox" checked={exact} onChange={(e) => setExact(e.currentTarget.checked)} /> exact bytes
            </label>
          ) : null}
          <CopyButton text={text} label={`Copy ${label.toLowerCase()}`} />
        </span>
      </figcaption>
      <pre tabIndex={0} aria-label={label}>
        {json && !exact ? prettyJson(text) : text || '(empty)'}
      </pre>
    </figure>
  );
}
