// "Run a command…" (runtime processes, issue 15): a small form in a dialog that adds a process through the
// `add` command. The server validates the entry with the config file's rules; a refusal comes back as an
// `error` carrying the form's command id and is shown in the form, next to what needs fixing.

import type { ErrorMessage, RuntimeProcessFields, StatusMessage } from '../src/protocol.js';

export interface RunCommandElements {
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  name: HTMLInputElement;
  command: HTMLInputElement;
  cwd: HTMLInputElement;
  error: HTMLElement;
  submit: HTMLButtonElement;
  cancel: HTMLButtonElement;
}

/** Sends `add`; false when it could not be sent (the connection is down). */
export type SendAdd = (process: RuntimeProcessFields, id: string) => boolean;

export class RunCommandForm {
  readonly #ui: RunCommandElements;
  readonly #send: SendAdd;
  readonly #added: (name: string) => void;
  /** The id of the `add` waiting for its answer; answers to earlier, abandoned ones are ignored. */
  #pending: { id: string; name: string } | null = null;
  #sent = 0;

  constructor(ui: RunCommandElements, send: SendAdd, added: (name: string) => void) {
    this.#ui = ui;
    this.#send = send;
    this.#added = added;
    ui.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
    ui.cancel.addEventListener('click', () => ui.dialog.close());
    ui.dialog.addEventListener('close', () => {
      this.#pending = null;
      this.#showState('idle', '');
    });
  }

  open(): void {
    if (this.#ui.dialog.open) return;
    this.#ui.form.reset();
    this.#ui.dialog.showModal();
    this.#ui.name.focus();
  }

  /**
   * Takes the answer to the form's own command: the status that settles a successful add closes the form, an
   * error is shown in it. Returns whether the message was the form's, so it is not shown elsewhere too.
   */
  settle(message: StatusMessage | ErrorMessage): boolean {
    const pending = this.#pending;
    if (pending === null || message.ids?.includes(pending.id) !== true) return false;
    this.#pending = null;
    if (message.type === 'error') {
      this.#showState('refused', message.message);
      return true;
    }
    this.#ui.dialog.close();
    this.#added(pending.name);
    return true;
  }

  #submit(): void {
    const process: RuntimeProcessFields = {
      name: this.#ui.name.value.trim(),
      command: this.#ui.command.value,
    };
    const cwd = this.#ui.cwd.value.trim();
    if (cwd !== '') process.cwd = cwd;
    this.#sent += 1;
    const id = `viewer-add-${this.#sent}`;
    if (!this.#send(process, id)) {
      this.#showState('refused', 'Not connected to lucidlines; try again once the viewer has reconnected.');
      return;
    }
    this.#pending = { id, name: process.name };
    this.#showState('pending', '');
  }

  /** The form's state is also a data attribute, which tells tests (and the style sheet) where it stands. */
  #showState(state: 'idle' | 'pending' | 'refused', text: string): void {
    this.#ui.form.dataset.state = state;
    this.#ui.error.textContent = text;
    this.#ui.submit.disabled = state === 'pending';
  }
}
