import { Show, createSignal } from "solid-js";
import { ENTRY_LIMITS, type EntryField, characterCount, fieldProblem } from "../../shared/entry.js";

type Draft = Record<EntryField, string>;

const FIELDS: EntryField[] = ["name", "message"];

export interface SignFormProps {
  /** Sends the entry; resolves to an error message to show, or null when it was stored. */
  onSign: (input: Draft) => Promise<string | null>;
}

function Field(props: {
  field: EntryField;
  label: string;
  value: string;
  touched: boolean;
  multiline?: boolean;
  onInput: (value: string) => void;
}) {
  const id = () => `sign-${props.field}`;
  const max = () => ENTRY_LIMITS[props.field].max;
  const left = () => max() - characterCount(props.value.trim());
  const problem = () => (props.touched ? fieldProblem(props.field, props.value.trim()) : null);
  const describedBy = () => `${id()}-count ${id()}-problem`;
  const onInput = (event: InputEvent & { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
    props.onInput(event.currentTarget.value);
  // Two explicit elements rather than one spread of shared props: Solid's spread helper
  // would add about a kilobyte to the page's JavaScript.
  return (
    <div class="field">
      <label for={id()}>{props.label}</label>
      <Show
        when={props.multiline}
        fallback={
          <input
            id={id()}
            name={props.field}
            type="text"
            autocomplete="name"
            required
            value={props.value}
            aria-invalid={problem() !== null}
            aria-describedby={describedBy()}
            onInput={onInput}
          />
        }
      >
        <textarea
          id={id()}
          name={props.field}
          rows={4}
          required
          value={props.value}
          aria-invalid={problem() !== null}
          aria-describedby={describedBy()}
          onInput={onInput}
        />
      </Show>
      <div class="field-hints">
        <span id={`${id()}-problem`} class="field-problem">
          {problem()}
        </span>
        <span id={`${id()}-count`} classList={{ count: true, over: left() < 0 }}>
          {left()} characters left
        </span>
      </div>
    </div>
  );
}

/** The sign form: checks the API's limits as the visitor types and keeps the draft on failure. */
export function SignForm(props: SignFormProps) {
  const [draft, setDraft] = createSignal<Draft>({ name: "", message: "" });
  const [touched, setTouched] = createSignal({ name: false, message: false });
  const [sending, setSending] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [status, setStatus] = createSignal("");

  const update = (field: EntryField) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setTouched((t) => ({ ...t, [field]: true }));
    setStatus("");
  };

  let alert!: HTMLDivElement;

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    if (sending()) return;
    setTouched({ name: true, message: true });
    const input = { name: draft().name.trim(), message: draft().message.trim() };
    // Focus goes where the visitor can act: the field at fault, else the alert that says why.
    const atFault = FIELDS.find((field) => fieldProblem(field, input[field]));
    if (atFault) {
      setError(fieldProblem(atFault, input[atFault]));
      document.getElementById(`sign-${atFault}`)?.focus();
      return;
    }
    setSending(true);
    setError(null);
    const failure = await props.onSign(input);
    setSending(false);
    if (failure) {
      setError(failure);
      alert.focus();
      return;
    }
    setDraft((d) => ({ ...d, message: "" }));
    setTouched({ name: false, message: false });
    setStatus("Thank you for signing!");
  }

  return (
    <form class="sign-form" aria-labelledby="sign-heading" novalidate onSubmit={(e) => void submit(e)}>
      <h2 id="sign-heading">Sign the guestbook</h2>
      <fieldset disabled={sending()}>
        <Field field="name" label="Name" value={draft().name} touched={touched().name} onInput={update("name")} />
        <Field
          field="message"
          label="Message"
          multiline
          value={draft().message}
          touched={touched().message}
          onInput={update("message")}
        />
      </fieldset>
      <div role="alert" tabindex="-1" class="error" classList={{ empty: !error() }} ref={alert}>
        {error()}
      </div>
      <div class="form-actions">
        <button type="submit" disabled={sending()}>
          {sending() ? "Signing…" : "Sign the guestbook"}
        </button>
        <span role="status" class="status">
          {status()}
        </span>
      </div>
    </form>
  );
}
