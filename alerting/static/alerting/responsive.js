/* On a phone the admin's lists are shown as cards (admin.css); this labels
   each value with its column's heading. Without it the cards show unlabelled. */
(function () {
  "use strict";
  function label() {
    document.querySelectorAll("#result_list").forEach((table) => {
      const headings = Array.from(table.querySelectorAll("thead th")).map(
        (th) => (th.querySelector(".text") || th).textContent.trim()
      );
      table.querySelectorAll("tbody tr").forEach((row) => {
        Array.from(row.children).forEach((cell, i) => {
          if (headings[i] && !cell.classList.contains("action-checkbox")) cell.dataset.label = headings[i];
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", label);
  else label();
})();
