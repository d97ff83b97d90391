// The integration editor's variable panel: a click inserts the variable at the
// cursor of the field last edited (or wraps the selection in a function).
(function () {
  "use strict";
  let target = null;
  let selection = [0, 0];

  function editable(el) {
    return el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && /^(text|search|url|)$/.test(el.type)))
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
      meaning.textContent = "Predefined variable of this integration.";
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
  document.addEventListener("DOMContentLoaded", () => {
    ownVariables();
    const panel = document.querySelector(".panel-details");
    if (panel && window.matchMedia("(max-width: 1024px)").matches) panel.open = false;
  });
})();
