/* Polls a job's status endpoint (an import, a bulk action: the element marked data-job-status) and updates the
   progress bar and counters; reloads when finished. */
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status]");
  if (!box || box.dataset.finished === "1") { return; }
  var url = box.dataset.statusUrl;
  var bar = box.querySelector(".progress > span");
  var meter = box.querySelector(".progress");
  var delay = 1000;
  var numberFormat = new Intl.NumberFormat(document.documentElement.lang || "id");

  function show(status) {
    bar.style.width = status.progress + "%";
    meter.setAttribute("aria-valuenow", status.progress);
    document.querySelectorAll("[data-field]").forEach(function (element) {
      var value = status[element.dataset.field];
      if (value === undefined || value === null) { return; }
      element.textContent = typeof value === "number" && element.dataset.field !== "progress" ? numberFormat.format(value) : value;
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (status) {
        show(status);
        if (status.finished) { window.location.reload(); return; }
        delay = Math.min(delay * 1.2, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 15000); window.setTimeout(poll, delay); });
  }
  window.setTimeout(poll, delay);
})();
