import type { Accessor } from "solid-js";
import type { Entry } from "../../shared/entry.js";
import { exactTime, relativeTime } from "../time.js";

/** One entry. Text is set as text, never as HTML, so nothing a visitor writes can run. */
export function EntryCard(props: { entry: Entry; now: Accessor<number> }) {
  return (
    <article class="entry">
      <header>
        <h3 class="entry-name">{props.entry.name}</h3>
        <time datetime={props.entry.createdAt} title={exactTime(props.entry.createdAt)}>
          {relativeTime(props.entry.createdAt, props.now())}
        </time>
      </header>
      <p class="entry-message">{props.entry.message}</p>
    </article>
  );
}
