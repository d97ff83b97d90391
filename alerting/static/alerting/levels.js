/* Alert definition page: escalation levels as tabs, "Add another integration",
   and a live warning for an active level that notifies nobody.
   Progressive enhancement: without this script the levels stay stacked and
   the page is the same plain form. */
(function () {
  "use strict";
  // Texts come from Django's JavaScript catalogue (the djangojs domain),
  // loaded before this script; without it they stay English.
  const gettext = window.gettext || ((text) => text);
  const interpolate =
    window.interpolate || ((text, values) => text.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name])));

  function levelRows(group) {
    return Array.from(group.querySelectorAll(".inline-related")).filter(
      (row) => !row.classList.contains("empty-form")
    );
  }

  function field(row, suffix) {
    return row.querySelector("[name$='-" + suffix + "']:not([name*='-links-'])");
  }

  function notifiesNobody(row) {
    const active = field(row, "is_active");
    if (!active || !active.checked) return false;
    if (row.querySelector("[name$='-operators']:checked, [name$='-operator_groups']:checked")) return false;
    return !Array.from(row.querySelectorAll(".level-link-list .level-link")).some((link) => {
      const select = link.querySelector("select[name$='-integration']");
      const on = link.querySelector("input[name$='-is_active']");
      const removed = link.querySelector("input[name$='-DELETE']");
      return select && select.value && on && on.checked && !(removed && removed.checked);
    });
  }

  function label(row, index) {
    const number = field(row, "number");
    const active = field(row, "is_active");
    const values = { number: (number && number.value) || index + 1 };
    if (active && !active.checked) return interpolate(gettext("Level %(number)s (off)"), values, true);
    return interpolate(gettext("Level %(number)s"), values, true);
  }

  function refresh(group) {
    const rows = levelRows(group);
    const bar = group.querySelector(".level-tabs");
    let selected = rows.findIndex((row) => !row.hidden);
    if (selected < 0) selected = 0;
    bar.textContent = "";
    rows.forEach((row, index) => {
      const warning = row.querySelector(".level-warning");
      const silent = notifiesNobody(row);
      if (warning) warning.hidden = !silent;
      if (!row.id) row.id = "level-panel-" + index;
      const tab = document.createElement("button");
      tab.type = "button";
      tab.className = "level-tab";
      tab.id = row.id + "-tab";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", row.id);
      tab.textContent = label(row, index);
      const active = field(row, "is_active");
      if (active && !active.checked) tab.classList.add("level-tab-off");
      if (silent) {
        tab.classList.add("level-tab-warning");
        tab.title = gettext("Active, but notifies nobody");
        tab.append(" ⚠");
      }
      if (row.querySelector(".errorlist, .errors")) tab.classList.add("level-tab-error");
      tab.addEventListener("click", () => select(group, index, true));
      tab.addEventListener("keydown", (event) => {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (step) {
          event.preventDefault();
          select(group, (index + step + rows.length) % rows.length, true);
        }
      });
      row.setAttribute("role", "tabpanel");
      row.setAttribute("aria-labelledby", tab.id);
      bar.append(tab);
    });
    select(group, selected, false);
  }

  function select(group, index, focus) {
    const rows = levelRows(group);
    const tabs = group.querySelectorAll(".level-tab");
    rows.forEach((row, i) => {
      row.hidden = i !== index;
      tabs[i].setAttribute("aria-selected", String(i === index));
      tabs[i].tabIndex = i === index ? 0 : -1;
    });
    if (focus && tabs[index]) tabs[index].focus();
  }

  function addIntegration(links) {
    const total = links.querySelector("input[name$='-TOTAL_FORMS']");
    const template = links.querySelector("template.level-link-template");
    if (!total || !template) return;
    // The template was rendered with the level's prefix of that moment (for a
    // level added on this page, "levels-__prefix__-links"); the management
    // form's name carries the level's real one.
    const rendered = links.dataset.linksPrefix + "-__prefix__";
    const prefix = total.name.replace(/-TOTAL_FORMS$/, "");
    const html = template.innerHTML.split(rendered).join(prefix + "-" + total.value);
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const row = holder.firstElementChild;
    links.querySelector(".level-link-list").append(row);
    total.value = String(Number(total.value) + 1);
    const select = row.querySelector("select");
    if (select) select.focus();
  }

  function enhanceLinks(scope) {
    scope.querySelectorAll(".level-links").forEach((links) => {
      if (links.closest(".empty-form") || links.querySelector(".add-integration")) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button add-integration";
      button.textContent = gettext("Add another integration");
      button.addEventListener("click", () => addIntegration(links));
      links.querySelector(".level-links-help").before(button);
    });
  }

  function init() {
    const group = document.querySelector(".escalation-levels");
    if (!group) return;
    group.classList.add("levels-enhanced");
    group.querySelector(".level-tabs").hidden = false;
    enhanceLinks(group);
    // First the level with an error, so a failed save opens where the problem is.
    const rows = levelRows(group);
    const failing = rows.findIndex((row) => row.querySelector(".errorlist"));
    rows.forEach((row, i) => { row.hidden = i !== Math.max(failing, 0); });
    refresh(group);
    group.addEventListener("change", () => refresh(group));
    document.addEventListener("formset:added", (event) => {
      if (!group.contains(event.target)) return;
      enhanceLinks(event.target);
      levelRows(group).forEach((row) => { row.hidden = row !== event.target; });
      refresh(group);
    });
    document.addEventListener("formset:removed", () => refresh(group));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
