/* Map and chart pages: the interactive map (vendored Leaflet) over the server-drawn SVG, and printing.
 * The SVG map stays the fallback: without JavaScript, when Leaflet or the map data cannot be loaded,
 * and in print. No inline handlers: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  var OUTSIDE = { color: "#9aa5b1", weight: 0.8, dashArray: "3 3", fillColor: "#e3e3e3", fillOpacity: 1 };

  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function className(properties) {
    var name = properties.kind === "point" ? "map-point" : "map-area";
    if (!properties.in_scope) { return name + " outside"; }
    return name + " kode-" + String(properties.code).replace(/\./g, "-");
  }

  function areaStyle(feature) {
    var p = feature.properties;
    if (!p.in_scope) { return Object.assign({ className: className(p) }, OUTSIDE); }
    return { className: className(p), color: "#ffffff", weight: 1, fillColor: p.colour || "#ffffff", fillOpacity: 1 };
  }

  function pointLayer(feature, latlng) {
    var p = feature.properties;
    if (!p.in_scope) {
      return L.circleMarker(latlng, { className: className(p), radius: 5, color: "#9aa5b1", weight: 1,
                                      fillColor: "#e3e3e3", fillOpacity: 1 });
    }
    return L.circleMarker(latlng, { className: className(p), radius: 8, color: "#3b4a59", weight: 2,
                                    fillColor: p.colour || "#ffffff", fillOpacity: 1 });
  }

  function bind(feature, layer) {
    var p = feature.properties;
    if (!p.in_scope) { return; }
    layer.bindTooltip(textNode(p.name + (p.text ? ": " + p.text : "")), { sticky: p.kind !== "point" });
    if (p.url) {
      layer.on("click", function () { window.location.assign(p.url); });
    }
  }

  function fitHeight(canvas) {
    /* As tall as the region's shape needs at this width, between 240 px and 72 % of the window. */
    var aspect = parseFloat(canvas.dataset.aspect);
    if (!aspect) { return; }
    var height = canvas.clientWidth / aspect;
    canvas.style.height = Math.round(Math.max(280, Math.min(height, window.innerHeight * 0.72))) + "px";
  }

  function draw(canvas, figure, data) {
    canvas.hidden = false;
    figure.classList.add("interactive");
    fitHeight(canvas);
    var map = L.map(canvas, { zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true });
    if (canvas.dataset.tileUrl) {
      L.tileLayer(canvas.dataset.tileUrl, { attribution: canvas.dataset.tileAttribution || "", maxZoom: 18 }).addTo(map);
    }
    /* The boundaries' source is credited in the page footer; on the map only Leaflet (and any tiles). */
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    var areas = L.geoJSON(data, {
      filter: function (feature) { return feature.properties.kind === "area"; },
      style: areaStyle,
      onEachFeature: bind
    }).addTo(map);
    var points = L.geoJSON(data, {
      filter: function (feature) { return feature.properties.kind === "point"; },
      pointToLayer: pointLayer,
      onEachFeature: bind
    }).addTo(map);
    var bounds = areas.getBounds();
    if (!bounds.isValid()) { bounds = points.getBounds(); }
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [6, 6] }); } else { map.setView([-2.5, 118], 4); }
    map.getContainer().setAttribute("aria-label", canvas.dataset.label || "");
    canvas.dataset.ready = "1";
  }

  function startMap() {
    var canvas = document.getElementById("peta");
    if (!canvas || !window.L || !window.fetch) { return; }
    var figure = canvas.closest(".map-figure");
    fetch(canvas.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) { draw(canvas, figure, data); })
      .catch(function () {
        canvas.hidden = true;
        figure.classList.remove("interactive");
        var note = document.createElement("p");
        note.className = "muted";
        note.textContent = canvas.dataset.error || "";
        figure.appendChild(note);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    window.addEventListener("beforeprint", function () {
      Array.prototype.forEach.call(document.querySelectorAll("details.chart-table"), function (details) {
        details.open = true;
      });
    });
    startMap();
  });
})();
