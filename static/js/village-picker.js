/* Village picker: a village code box (input[data-village-picker]) becomes a search by name.
 *
 * Progressive enhancement: without this script the form still works with the Kemendagri code typed in the
 * box. With it, the code box is hidden and a search box takes its place (and its label): the person types
 * part of the village's name, the server answers from the villages of their own region
 * (data-lookup-url, JSON {"results": [{code, name, label}]}), and picking one puts its code in the hidden box.
 * Keyboard: arrows move through the list, Enter picks, Escape closes. No library, no CDN.
 */
(function () {
  "use strict";

  var counter = 0;

  function lookup(url, params) {
    var query = Object.keys(params).map(function (key) {
      return encodeURIComponent(key) + "=" + encodeURIComponent(params[key]);
    }).join("&");
    return fetch(url + "?" + query, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {results: []}; })
      .then(function (data) { return data.results || []; })
      .catch(function () { return []; });
  }

  function setup(codeInput) {
    counter += 1;
    var url = codeInput.getAttribute("data-lookup-url");
    var listId = "village-picker-list-" + counter;
    var search = document.createElement("input");
    search.type = "text";
    search.id = codeInput.id;
    search.className = codeInput.className;
    search.autocomplete = "off";
    search.placeholder = codeInput.getAttribute("data-search-placeholder") || "";
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    search.setAttribute("aria-controls", listId);
    if (codeInput.getAttribute("aria-describedby")) {
      search.setAttribute("aria-describedby", codeInput.getAttribute("aria-describedby"));
    }
    if (codeInput.required) { search.required = true; }
    codeInput.id = codeInput.id + "_code";
    codeInput.type = "hidden";

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "village-picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;

    var wrapper = document.createElement("div");
    wrapper.className = "village-picker";
    codeInput.parentNode.insertBefore(wrapper, codeInput);
    wrapper.appendChild(search);
    wrapper.appendChild(codeInput);
    wrapper.appendChild(list);

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < items.length; i += 1) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (items[index]) {
        search.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({block: "nearest"});
      }
    }

    function choose(index) {
      var row = results[index];
      if (!row) { return; }
      codeInput.value = row.code;
      search.value = row.label;
      close();
    }

    function show(rows, typed) {
      results = rows;
      list.textContent = "";
      if (!rows.length) {
        var empty = document.createElement("li");
        empty.className = "muted";
        empty.textContent = codeInput.getAttribute(typed.length < 2 ? "data-text-short" : "data-text-none") || "";
        list.appendChild(empty);
      }
      rows.forEach(function (row, index) {
        var item = document.createElement("li");
        item.id = listId + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = row.label + " ";
        var code = document.createElement("small");
        code.className = "muted";
        code.textContent = row.code;
        item.appendChild(code);
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the search box
          choose(index);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      search.setAttribute("aria-expanded", "true");
      active = -1;
    }

    search.addEventListener("input", function () {
      codeInput.value = "";
      var typed = search.value.trim();
      window.clearTimeout(timer);
      if (/^\d{2}\.\d{2}\.\d{2}\.\d{4}$/.test(typed)) {
        codeInput.value = typed;  // a full code typed as such is accepted as it is
      }
      timer = window.setTimeout(function () {
        var ticket = ++asked;
        if (typed.length < 2) { show([], typed); return; }
        lookup(url, {q: typed}).then(function (rows) {
          if (ticket === asked) { show(rows, typed); }
        });
      }, 200);
    });

    search.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });

    search.addEventListener("blur", function () { window.setTimeout(close, 150); });

    if (codeInput.value) {
      search.value = codeInput.value;
      lookup(url, {code: codeInput.value}).then(function (rows) {
        if (rows.length && codeInput.value === rows[0].code) { search.value = rows[0].label; }
      });
    }
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-village-picker]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
