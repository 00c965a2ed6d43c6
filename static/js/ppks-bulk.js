/* The bulk action bar of the PPKS lists: "select page" ticks every row of the page, the counter follows the
   ticks, and "select all matching" sends the list's filters instead of the ticked rows. */
(function () {
  "use strict";
  var form = document.querySelector("[data-bulk-form]");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("input[name=ids][form=bulk-form]"));
  var pageBox = document.querySelector("[data-bulk-page]");
  var allBox = form.querySelector("[data-bulk-all]");
  var counter = form.querySelector("[data-bulk-count]");

  function update() {
    var ticked = rows.filter(function (box) { return box.checked; }).length;
    counter.textContent = ticked;
    if (pageBox) {
      pageBox.checked = ticked > 0 && ticked === rows.length;
      pageBox.indeterminate = ticked > 0 && ticked < rows.length;
    }
  }
  if (pageBox) {
    pageBox.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = pageBox.checked; });
      if (!pageBox.checked && allBox) { allBox.checked = false; }
      update();
    });
  }
  if (allBox) {
    allBox.addEventListener("change", function () {
      if (allBox.checked) { rows.forEach(function (box) { box.checked = true; }); }
      update();
    });
  }
  rows.forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked && allBox) { allBox.checked = false; }
      update();
    });
  });
  update();
})();
