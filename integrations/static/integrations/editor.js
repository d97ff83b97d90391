// The integration editor's variable panel: a click inserts the variable at the
// cursor of the field last edited (or wraps the selection in a function).
(function () {
  "use strict";
  // Texts come from Django's JavaScript catalogue (the djangojs domain),
  // loaded before this script; without it they stay English.
  const gettext = window.gettext || ((text) => text);
  const interpolate =
    window.interpolate || ((text, values) => text.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name])));
  document.documentElement.classList.add("editor-js");
  let target = null;
  let selection = [0, 0];

  function editable(el) {
    // Password inputs too: a step's password or token may be a vault reference.
    return el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && /^(text|search|url|password|)$/.test(el.type)))
      && el.closest("form") && !el.classList.contains("panel-filter");
  }

  function remember(el) {
    target = el;
    selection = [el.selectionStart || 0, el.selectionEnd || 0];
  }

  // Tabbing through a field on the way to the panel does not make it the
  // field being edited: Enter or Space on a panel button inserts into the
  // field the user last typed, clicked or selected in.
  let tabbing = false;
  document.addEventListener("keydown", (e) => { tabbing = e.key === "Tab"; });
  document.addEventListener("focusin", (e) => { if (editable(e.target) && !tabbing) remember(e.target); });
  ["click", "select", "input"].forEach((type) =>
    document.addEventListener(type, (e) => { if (editable(e.target)) remember(e.target); })
  );
  document.addEventListener("keyup", (e) => {
    if (e.key !== "Tab" && e.key !== "Shift" && editable(e.target)) remember(e.target);
    if (e.key === "Tab") tabbing = false;
  });

  function insert(button) {
    if (!target || !document.body.contains(target)) {
      target = document.querySelector("form textarea[name$='-body'], form input[name$='-url']");
      if (!target) return;
      selection = [target.value.length, target.value.length];
    }
    const [start, end] = selection;
    const value = target.value;
    let text = button.dataset.token;
    const fn = button.dataset.function;
    if (fn && end > start) {
      text = "{{" + fn + "(" + value.slice(start, end) + ")}}";
    }
    target.value = value.slice(0, start) + text + value.slice(end);
    const caret = start + text.length;
    target.focus();
    target.setSelectionRange(caret, caret);
    remember(target);
    target.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function ownVariables() {
    // The integration's variables as typed on this page, saved or not.
    const list = document.querySelector(".panel-own");
    if (!list) return;
    const names = new Set();
    document.querySelectorAll("input[name^='variables-'][name$='-name']").forEach((input) => {
      if (input.name.includes("__prefix__")) return;
      const row = input.closest("tr");
      const deleted = row && row.querySelector("input[name$='-DELETE']:checked");
      if (input.value.trim() && !deleted) names.add(input.value.trim());
    });
    list.querySelectorAll("li[data-live]").forEach((li) => li.remove());
    const known = new Set([...list.querySelectorAll(".var-insert")].map((b) => b.dataset.token));
    names.forEach((name) => {
      const token = "{{" + name + "}}";
      if (known.has(token)) return;
      const li = document.createElement("li");
      li.dataset.live = "1";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "var-insert";
      button.dataset.token = token;
      const code = document.createElement("code");
      code.textContent = token;
      button.appendChild(code);
      const meaning = document.createElement("span");
      meaning.className = "meaning";
      meaning.textContent = gettext("Predefined variable of this integration.");
      li.append(button, " ", meaning);
      list.appendChild(li);
    });
  }

  document.addEventListener("mousedown", (e) => {
    // Keep the field's selection: a button press would otherwise blur it first.
    if (e.target.closest(".var-insert")) e.preventDefault();
  });
  document.addEventListener("click", (e) => {
    const button = e.target.closest(".var-insert");
    if (button) { e.preventDefault(); insert(button); }
  });
  document.addEventListener("input", (e) => {
    if (e.target.matches && e.target.matches("input[name^='variables-'][name$='-name']")) ownVariables();
    if (e.target.classList && e.target.classList.contains("panel-filter")) {
      const q = e.target.value.toLowerCase();
      document.querySelectorAll(".variable-panel li").forEach((li) => {
        li.hidden = q && !li.textContent.toLowerCase().includes(q);
      });
    }
  });
  // Preview and send test: post the form as it stands to the test view and
  // show the answer here; nothing is saved. (Without this script the buttons
  // post to the same view and get a page of their own.)
  async function runTest(button) {
    const form = button.form;
    const slot = document.getElementById("test-result-slot");
    if (!form || !slot) return;
    const data = new FormData(form);
    data.append(button.name, button.value);
    document.querySelectorAll("button[data-test-url]").forEach((b) => { b.disabled = true; });
    slot.setAttribute("aria-busy", "true");
    const note = document.createElement("p");
    note.className = "test-running";
    note.textContent = button.name === "_sendtest" ? gettext("Sending the test alert…") : gettext("Rendering the preview…");
    slot.replaceChildren(note);
    try {
      const response = await fetch(button.dataset.testUrl + "?fragment=1", {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
      });
      if (response.ok) {
        slot.innerHTML = await response.text();  // the server's own escaped HTML
      } else {
        note.className = "test-error";
        note.textContent = interpolate(
          gettext("The server answered %(status)s; nothing was sent or saved."),
          { status: response.status },
          true
        );
      }
    } catch (err) {
      note.className = "test-error";
      note.textContent = interpolate(gettext("The server could not be reached: %(error)s"), { error: err.message }, true);
    } finally {
      document.querySelectorAll("button[data-test-url]").forEach((b) => { b.disabled = false; });
      slot.removeAttribute("aria-busy");
      slot.scrollIntoView({ block: "nearest" });
    }
  }

  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest("button[data-test-url]");
    if (button) { e.preventDefault(); runTest(button); }
  });

  // Header rows: add a row (a copy of the last, emptied), remove a row (the
  // last one left is emptied instead, so there is always a row to type into).
  document.addEventListener("click", (e) => {
    if (!e.target.closest) return;
    const add = e.target.closest(".header-add");
    if (add) {
      const rows = add.closest(".header-rows").querySelector("tbody");
      const row = rows.lastElementChild.cloneNode(true);
      row.querySelectorAll("input").forEach((input) => { input.value = ""; input.removeAttribute("id"); });
      rows.appendChild(row);
      row.querySelector(".header-name").focus();
      return;
    }
    const remove = e.target.closest(".header-remove");
    if (remove) {
      const row = remove.closest("tr");
      const box = remove.closest(".header-rows");
      if (row.parentElement.children.length > 1) row.remove();
      else row.querySelectorAll("input").forEach((input) => { input.value = ""; });
      const first = box.querySelector(".header-name");
      if (first) first.focus();
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  // The body check: a JSON or XML body is rendered on the server with hostile
  // sample values; each placeholder that breaks it is listed with a button
  // that wraps it in @JsonEncode / @XmlEncode.
  const checks = new Map();  // step prefix -> {timer, sent, answer}

  function stepPrefix(el) {
    const match = el && el.name && el.name.match(/^(steps-\d+)-(body|content_type|method|headers__name|headers__value)$/);
    return match ? match[1] : null;
  }

  function scheduleCheck(prefix, delay) {
    const state = checks.get(prefix) || {};
    clearTimeout(state.timer);
    state.timer = setTimeout(() => checkBody(prefix), delay);
    checks.set(prefix, state);
  }

  function checkPanel(textarea) {
    const id = textarea.name + "-check";
    let panel = document.getElementById(id);
    if (!panel) {
      panel = document.createElement("div");
      panel.id = id;
      panel.className = "body-check";
      panel.setAttribute("aria-live", "polite");
      textarea.insertAdjacentElement("afterend", panel);
    }
    return panel;
  }

  async function checkBody(prefix) {
    const layout = document.querySelector("[data-check-body-url]");
    const textarea = document.querySelector("textarea[name='" + prefix + "-body']");
    if (!layout || !layout.dataset.checkBodyUrl || !textarea) return;
    const data = new FormData(textarea.form);
    data.append("step", prefix);
    const sent = textarea.value;
    let answer;
    try {
      const response = await fetch(layout.dataset.checkBodyUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
      });
      if (!response.ok) return;
      answer = await response.json();
    } catch (err) {
      return;  // the check is a help; saving still checks
    }
    if (textarea.value !== sent) return;  // typed on meanwhile: a newer check follows
    const state = checks.get(prefix) || {};
    state.sent = sent;
    state.answer = answer;
    checks.set(prefix, state);
    showCheck(textarea, answer);
  }

  function showCheck(textarea, answer) {
    const panel = checkPanel(textarea);
    panel.replaceChildren();
    panel.className = "body-check";
    if (!answer.format) return;
    if (!answer.messages.length) {
      panel.classList.add("body-check-ok");
      panel.textContent = interpolate(
        gettext("Valid %(format)s, also with quotes, backslashes and line breaks in the values."),
        { format: answer.format },
        true
      );
      return;
    }
    panel.classList.add("body-check-warn");
    const list = document.createElement("ul");
    const wrappable = answer.findings.filter((f) => f.wrap);
    if (answer.messages.length > answer.findings.length) {
      const li = document.createElement("li");
      li.textContent = answer.messages[0];
      list.appendChild(li);
    }
    answer.findings.forEach((finding, index) => {
      const li = document.createElement("li");
      li.append(finding.message + " ");
      if (finding.wrap) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "body-wrap";
        button.dataset.index = String(index);
        button.textContent = interpolate(gettext("Wrap in %(encoder)s"), { encoder: answer.encoder }, true);
        li.appendChild(button);
      }
      list.appendChild(li);
    });
    panel.appendChild(list);
    if (wrappable.length > 1) {
      const all = document.createElement("button");
      all.type = "button";
      all.className = "body-wrap body-wrap-all";
      all.dataset.index = "all";
      all.textContent = interpolate(
        gettext("Wrap all %(count)s in %(encoder)s"),
        { count: wrappable.length, encoder: answer.encoder },
        true
      );
      panel.appendChild(all);
    }
  }

  function applyWrap(button) {
    const panel = button.closest(".body-check");
    const textarea = document.querySelector("textarea[name='" + panel.id.replace(/-check$/, "") + "']");
    const prefix = stepPrefix(textarea);
    const state = checks.get(prefix);
    if (!state || !state.answer || textarea.value !== state.sent) { scheduleCheck(prefix, 0); return; }
    const findings = button.dataset.index === "all" ? state.answer.findings : [state.answer.findings[+button.dataset.index]];
    const edits = findings.flatMap((f) => f.edits).sort((a, b) => b[0] - a[0]);
    let text = state.answer.base;
    edits.forEach(([start, end, replacement]) => { text = text.slice(0, start) + replacement + text.slice(end); });
    textarea.value = text;
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest(".body-wrap");
    if (button) { e.preventDefault(); applyWrap(button); }
  });
  document.addEventListener("input", (e) => {
    const prefix = stepPrefix(e.target);
    if (prefix) scheduleCheck(prefix, 400);
  });
  document.addEventListener("change", (e) => {
    const prefix = stepPrefix(e.target);
    if (prefix) scheduleCheck(prefix, 0);
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("textarea[name^='steps-'][name$='-body']").forEach((textarea) => {
      const prefix = stepPrefix(textarea);
      if (prefix) scheduleCheck(prefix, 0);
    });
    ownVariables();
    const panel = document.querySelector(".panel-details");
    if (panel && window.matchMedia("(max-width: 1024px)").matches) panel.open = false;
  });
})();
