/* Name → value rows (alerting/admin/key_value.py): "Add a row" adds a blank
   one; without this script the form has two blank rows per save. */
(function () {
  "use strict";
  function init() {
    document.querySelectorAll(".key-value").forEach((box) => {
      const button = box.querySelector(".key-value-add");
      button.hidden = false;
      button.addEventListener("click", () => {
        const rows = box.querySelector(".key-value-rows");
        const last = rows.lastElementChild;
        const row = last.cloneNode(true);
        const n = rows.children.length;
        row.querySelectorAll("input").forEach((input) => {
          input.name = input.name.replace(/-\d+$/, "-" + n);
          input.id = input.id.replace(/-\d+$/, "-" + n);
          input.value = "";
          input.setAttribute("aria-label", input.placeholder + " " + (n + 1));
        });
        rows.append(row);
        row.querySelector("input").focus();
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
