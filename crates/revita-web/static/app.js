// revita's only script, and an optional one: every page works without it.
// It submits the map settings when a choice changes, and sorts tables whose
// header buttons are clicked (keyboard included, as they are buttons).
"use strict";

document.querySelectorAll("select.autosubmit").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});

function cellValue(cell) {
  const raw = cell.dataset.value;
  if (raw !== undefined && raw !== "") {
    const n = Number(raw);
    if (!Number.isNaN(n)) return n;
  }
  return cell.textContent.trim();
}

function compare(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a.localeCompare(b, document.documentElement.lang);
}

document.querySelectorAll("table.sortable").forEach((table) => {
  const headers = Array.from(table.tHead.rows[0].cells);
  headers.forEach((th, index) => {
    const button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      rows.sort((r1, r2) => {
        const order = compare(cellValue(r1.cells[index]), cellValue(r2.cells[index]));
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
});
