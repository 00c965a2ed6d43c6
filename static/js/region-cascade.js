/* Region cascade: provinsi → kab/kota → kecamatan → desa selects that fill a region-code input.
   Progressive enhancement: without JavaScript the code input still works on its own. */
(function () {
  "use strict";
  var DEFAULT_LABELS = ["Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan"];

  function init(container) {
    /* Level names come translated from the template (data-labels="Provinsi|Kabupaten/Kota|…"). */
    var given = (container.getAttribute("data-labels") || "").split("|");
    var LABELS = given.length === DEFAULT_LABELS.length ? given : DEFAULT_LABELS;
    var api = container.getAttribute("data-api");
    var target = document.getElementById(container.getAttribute("data-target"));
    if (!api || !target) { return; }
    var selects = [];

    function clearFrom(level) {
      while (selects.length > level) { container.removeChild(selects.pop()); }
    }

    function load(level, parent, selected) {
      var url = api + (parent ? "?parent=" + encodeURIComponent(parent) : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (rows) {
          if (!rows.length) { return; }
          var select = document.createElement("select");
          select.setAttribute("aria-label", LABELS[level]);
          var blank = document.createElement("option");
          blank.value = parent || "";
          blank.textContent = "— " + LABELS[level] + " —";
          select.appendChild(blank);
          rows.forEach(function (row) {
            var option = document.createElement("option");
            option.value = row.code;
            option.textContent = row.name;
            if (selected && (selected === row.code || selected.indexOf(row.code + ".") === 0)) { option.selected = true; }
            select.appendChild(option);
          });
          select.addEventListener("change", function () {
            clearFrom(level + 1);
            target.value = select.value;
            if (select.value && level < 3 && select.value !== parent) { load(level + 1, select.value, null); }
          });
          container.appendChild(select);
          selects.push(select);
          if (select.value && select.value !== parent && level < 3) { load(level + 1, select.value, selected); }
        });
    }

    load(0, "", target.value.trim());
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".region-cascade"), init);
  });
})();
