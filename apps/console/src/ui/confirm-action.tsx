import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';
import { ErrorBox } from './error-box';

// Every action says what it will do before it does it: the button opens a modal dialog that names
// the endpoint or delivery, and only its confirm button calls the API. An error stays in the
// dialog, as the API wrote it, so the operator can retry or cancel.

interface Props<R> {
  /** The button on the page. */
  label: string;
  /** The dialog's question, naming what is acted on. */
  title: string;
  /** What will happen, in a sentence or two. */
  children: ComponentChildren;
  confirmLabel: string;
  run: () => Promise<R>;
  onDone?: (result: R) => void;
  disabled?: boolean;
  danger?: boolean;
}

export function ConfirmAction<R>({ label, title, children, confirmLabel, run, onDone, disabled, danger }: Props<R>) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const open = () => {
    setError(null);
    dialog.current?.showModal();
  };
  const confirm = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await run();
      dialog.current?.close();
      onDone?.(result);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class={danger ? 'danger' : undefined} onClick={open} disabled={disabled}>
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <form onSubmit={confirm}>
          <h2 id={titleId}>{title}</h2>
          <div class="dialog-body">{children}</div>
          {error ? <ErrorBox error={error} /> : null}
          <div class="row end">
            <button type="button" onClick={() => dialog.current?.close()} autofocus>
              Cancel
            </button>
            <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy}>
              {busy ? 'Working…' : confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
