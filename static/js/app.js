/* Small behaviours shared by every page (no inline handlers: the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  /* A form that is being sent is not sent again by a second click: its buttons are disabled until the
     next page arrives (the server also answers a repeated form token with the first result). */
  function guardDoubleSubmit(event) {
    var form = event.target;
    if (event.defaultPrevented || !form || (form.method || "").toLowerCase() !== "post") { return; }
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
    window.setTimeout(function () {  /* after the browser has taken the clicked button's value */
      Array.prototype.forEach.call(buttons, function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
    }, 0);
    /* A form that answers with a download stays on this page: let it be used again after a while. */
    window.setTimeout(function () { release(form); }, 15000);
  }

  function release(form) {
    delete form.dataset.submitting;
    Array.prototype.forEach.call(form.querySelectorAll("[aria-disabled=true]"), function (button) {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    });
  }

  function releaseForms() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submitting]"), release);
  }

  document.addEventListener("submit", guardDoubleSubmit);
  window.addEventListener("pageshow", releaseForms);  /* back/forward cache: the form can be used again */

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit(); });
    });
  });
})();

/* Lists shown as cards on phones (table.cards): a cell without its own data-label takes its column's
   heading, so templates only add the class; the current menu entry is scrolled into view. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.cards"), function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (!cell.hasAttribute("data-label") && headings[index] && !cell.hasAttribute("colspan")) {
            cell.setAttribute("data-label", headings[index]);
          }
        });
      });
    });
    var current = document.querySelector(".mainnav a[aria-current=page]");
    if (current && current.scrollIntoView && current.parentNode.scrollWidth > current.parentNode.clientWidth) {
      current.parentNode.scrollLeft = current.offsetLeft - current.parentNode.clientWidth / 3;
    }
  });
})();
