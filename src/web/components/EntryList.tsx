import { type Accessor, For, Match, Show, Switch } from "solid-js";
import type { Guestbook } from "../guestbook.js";
import { EntryCard } from "./EntryCard.js";

/** The newest entries with paging; how many others signed meanwhile is announced politely to screen readers. */
export function EntryList(props: { guestbook: Guestbook; now: Accessor<number> }) {
  const book = props.guestbook;
  return (
    <section class="entries" aria-labelledby="entries-heading" aria-busy={book.loading()}>
      <h2 id="entries-heading">Latest entries</h2>
      {/* Whatever else is on screen (say, an entry just signed), a failed first page stays visible with its retry. */}
      <Show when={book.loadError()}>
        <div role="alert" class="error">
          <p>{book.loadError()}</p>
          <button type="button" onClick={() => void book.retry()}>
            Try again
          </button>
        </div>
      </Show>
      <Switch>
        <Match when={book.loading()}>
          <p class="placeholder">Loading entries…</p>
        </Match>
        <Match when={!book.loadError() && book.entries().length === 0}>
          <p class="placeholder">No entries yet. Be the first to sign the guestbook.</p>
        </Match>
      </Switch>
      <p class="visually-hidden" aria-live="polite">
        {book.announcement()}
      </p>
      <ol class="entry-list">
        <For each={book.entries()}>
          {(entry) => (
            <li>
              <EntryCard entry={entry} now={props.now} />
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
