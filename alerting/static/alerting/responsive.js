/* Tables that fit their width. Each cell is labelled with its column's
   heading; a list on a phone (admin.css) and an inline table too wide for
   its box (class "as-cards", set here) are then shown as one labelled card
   per row. Without this script such a table scrolls inside its box. */
(function () {
  "use strict";
  const TABLES = "#result_list, .inline-group .tabular table";

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

  function fit() {
    document.querySelectorAll(TABLES).forEach((table) => {
      label(table);
      if (table.id === "result_list") return;
      table.classList.remove("as-cards");
      const box = table.parentElement;
      if (table.scrollWidth > box.clientWidth + 1) table.classList.add("as-cards");
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
