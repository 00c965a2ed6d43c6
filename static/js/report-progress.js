/* Polls a report job's status until it is done or failed, updating the progress bar. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || ["done", "failed"].indexOf(box.getAttribute("data-state")) !== -1) { return; }
  var url = box.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        document.getElementById("job-state").textContent = status.state_label;
        document.getElementById("job-progress").style.width = status.progress + "%";
        box.querySelector(".progress").setAttribute("aria-valuenow", status.progress);
        if (status.state === "done" || status.state === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
