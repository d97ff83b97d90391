// The monitor page's ping URL: copy it, or rotate it (a POST of the change
// form, with its CSRF token, to the rotate view, after a confirmation).
"use strict";
document.addEventListener("click", (event) => {
  // Texts come from Django's JavaScript catalogue (the djangojs domain),
  // loaded before this script; without it they stay English.
  const gettext = window.gettext || ((text) => text);
  const copy = event.target.closest("[data-copy-ping-url]");
  if (copy) {
    const input = copy.parentElement.querySelector("input.ping-url");
    const done = () => {
      copy.textContent = gettext("Copied");
      setTimeout(() => { copy.textContent = gettext("Copy"); }, 2000);
    };
    // The asynchronous clipboard exists on https (and localhost) only, and
    // may be refused: then the old way, on the selected text.
    const fallback = () => {
      input.select();
      document.execCommand("copy");
      done();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, fallback);
    } else {
      fallback();
    }
    return;
  }
  const rotate = event.target.closest("[data-rotate-ping-url]");
  if (rotate && window.confirm(gettext("The current ping URL will stop working at once. Rotate it?"))) {
    const form = rotate.closest("form");
    form.action = rotate.dataset.rotatePingUrl;
    form.submit();
  }
});
