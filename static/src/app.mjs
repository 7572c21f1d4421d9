// Collaborate's one script: GOV.UK Frontend's components, initialised on the page and again in
// any content htmx swaps in. Loaded as a module with the CSP nonce; nothing inline.
import { initAll } from "govuk-frontend";

document.body.classList.add("govuk-frontend-supported");
initAll();

// htmx fires htmx:load on every element it adds (and once on <body> at start, already done).
document.addEventListener("htmx:load", (event) => {
  const scope = event.detail.elt;
  if (scope instanceof Element && scope !== document.body) {
    initAll({ scope });
  }
});

// After a swap, move focus to the swapped region's heading or live summary when the region asks
// for it, so that screen-reader users hear what changed.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail.target;
  if (!(target instanceof Element)) return;
  const focusable = target.querySelector("[data-focus-after-swap]");
  if (focusable instanceof HTMLElement) {
    focusable.focus();
  }
});
