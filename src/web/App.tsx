import { onCleanup } from "solid-js";
import { EntryList } from "./components/EntryList.js";
import { SignForm } from "./components/SignForm.js";
import { createGuestbook } from "./guestbook.js";
import { createClock } from "./time.js";

export interface AppProps {
  guestbook?: ReturnType<typeof createGuestbook>;
  /** The visitor's clock and how often relative times follow it; tests replace both. */
  now?: () => number;
  tickMs?: number;
}

export function App(props: AppProps) {
  const guestbook = props.guestbook ?? createGuestbook();
  onCleanup(guestbook.follow());
  const now = createClock(props.now, props.tickMs);
  return (
    <main>
      <h1>Guestbook</h1>
      <p class="lede">Leave a note for the next visitor.</p>
      <SignForm onSign={guestbook.sign} />
      <EntryList guestbook={guestbook} now={now} />
    </main>
  );
}
