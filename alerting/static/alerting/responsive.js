/* Tables that fit their width. Each cell is labelled with its column's
   heading; a list on a phone (admin.css) and any other table too wide for
   its box (class "as-cards", set here) are then shown as one labelled card
   per row. A list too wide beside its filters first gets the filters below
   it. Without this script such a table scrolls inside its box. */
(function () {
  "use strict";
  const TABLES = "#content table";

  function label(table) {
    const headings = Array.from(table.querySelectorAll("thead th")).map(
      (th) => (th.querySelector(".text") || th).textContent.replace(/\s+/g, " ").trim()
    );
    table.querySelectorAll("tbody tr").forEach((row) => {
      let column = 0;
      Array.from(row.children).forEach((cell) => {
        const heading = headings[column];
        if (heading && !cell.classList.contains("action-checkbox")) cell.dataset.label = heading;
        column += cell.colSpan || 1;
      });
    });
  }

  function overflows(table) {
    return table.offsetParent !== null && table.scrollWidth > table.parentElement.clientWidth + 1;
  }

  function fit() {
    const changelist = document.getElementById("changelist");
    if (changelist) changelist.classList.remove("filters-below");
    document.querySelectorAll(TABLES).forEach((table) => table.classList.remove("as-cards"));
    const list = document.getElementById("result_list");
    const wide = window.matchMedia("(min-width: 768px)").matches;
    if (list && wide && changelist && overflows(list)) changelist.classList.add("filters-below");
    document.querySelectorAll(TABLES).forEach((table) => {
      label(table);
      // A phone's lists are cards by the style sheet already.
      if (table === list && !wide) return;
      if (overflows(table)) table.classList.add("as-cards");
    });
  }

  function init() {
    fit();
    let pending = null;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(fit, 100);
    });
    document.addEventListener("formset:added", fit);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
