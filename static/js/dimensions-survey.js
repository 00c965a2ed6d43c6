/* Keeps an unsent copy of the survey in localStorage (weak networks). On load, a copy that the server
   already holds (every stored answer is checked in the page) is dropped; otherwise it is restored. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form || !window.localStorage) { return; }
  var key = form.getAttribute("data-draft-key");
  var status = document.getElementById("draft-status");
  function values() {
    var data = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]:checked"), function (input) {
      data[input.name] = input.value;
    });
    return data;
  }
  var saved = null;
  try { saved = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (error) { saved = null; }
  var server = values();
  if (saved && Object.keys(saved).every(function (name) { return server[name] === saved[name]; })) {
    window.localStorage.removeItem(key);
    saved = null;
  }
  if (saved) {
    var restored = 0;
    Object.keys(saved).forEach(function (name) {
      var input = form.querySelector("input[name='" + name + "'][value='" + saved[name] + "']");
      if (input && !input.checked) { input.checked = true; restored += 1; }
    });
    if (restored && status) { status.textContent = form.getAttribute("data-restored-message") + " " + restored; }
  }
  form.addEventListener("change", function () {
    window.localStorage.setItem(key, JSON.stringify(values()));
    if (status) { status.textContent = form.getAttribute("data-kept-message"); }
  });
})();
