import { For, Match, Show, Switch } from "solid-js";
import type { Guestbook } from "../guestbook.js";
import { EntryCard } from "./EntryCard.js";

/** The newest entries with paging; new entries are announced politely to screen readers. */
export function EntryList(props: { guestbook: Guestbook }) {
  const book = props.guestbook;
  return (
    <section class="entries" aria-labelledby="entries-heading" aria-busy={book.loading()}>
      <h2 id="entries-heading">Latest entries</h2>
      <Switch>
        <Match when={book.loading()}>
          <p class="placeholder">Loading entries…</p>
        </Match>
        <Match when={book.loadError() && book.entries().length === 0}>
          <div role="alert" class="error">
            <p>{book.loadError()}</p>
            <button type="button" onClick={() => void book.retry()}>
              Try again
            </button>
          </div>
        </Match>
        <Match when={book.entries().length === 0}>
          <p class="placeholder">No entries yet. Be the first to sign the guestbook.</p>
        </Match>
      </Switch>
      <ol class="entry-list" aria-live="polite">
        <For each={book.entries()}>
          {(entry) => (
            <li>
              <EntryCard entry={entry} />
            </li>
          )}
        </For>
      </ol>
      <Show when={book.loadMoreError()}>
        <p role="alert" class="error">
          {book.loadMoreError()}
        </p>
      </Show>
      <Show when={book.hasMore()}>
        <button type="button" class="load-more" disabled={book.loadingMore()} onClick={() => void book.loadMore()}>
          {book.loadingMore() ? "Loading…" : "Load more"}
        </button>
      </Show>
    </section>
  );
}
