import { EntryList } from "./components/EntryList.js";
import { SignForm } from "./components/SignForm.js";
import { createGuestbook } from "./guestbook.js";

export function App(props: { guestbook?: ReturnType<typeof createGuestbook> }) {
  const guestbook = props.guestbook ?? createGuestbook();
  return (
    <main>
      <h1>Guestbook</h1>
      <p class="lede">Leave a note for the next visitor.</p>
      <SignForm onSign={guestbook.sign} />
      <EntryList guestbook={guestbook} />
    </main>
  );
}
