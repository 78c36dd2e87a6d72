/* SIGAP dashboard choropleth: selected people per kelurahan, polygons only (no tile server). */
(function () {
  "use strict";
  var COLOURS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]; // ColorBrewer Blues, 5 classes
  var EMPTY = "#e5e5e5";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fmt(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  /* Class breaks: quantiles of the non-zero values, made unique and increasing. */
  function breaks(values) {
    var v = values.filter(function (x) { return x > 0; }).sort(function (a, b) { return a - b; });
    if (!v.length) { return []; }
    var out = [];
    for (var i = 1; i <= COLOURS.length; i++) {
      var q = v[Math.min(v.length - 1, Math.ceil((i / COLOURS.length) * v.length) - 1)];
      if (!out.length || q > out[out.length - 1]) { out.push(q); }
    }
    return out;
  }

  function colourFor(value, cuts) {
    if (!value) { return EMPTY; }
    for (var i = 0; i < cuts.length; i++) {
      if (value <= cuts[i]) { return COLOURS[Math.round(i * (COLOURS.length - 1) / Math.max(1, cuts.length - 1))]; }
    }
    return COLOURS[COLOURS.length - 1];
  }

  function legend(map, cuts, el) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      // Built with DOM calls: the CSP forbids style attributes in markup.
      var div = L.DomUtil.create("div", "legend");
      var title = document.createElement("strong");
      title.textContent = el.dataset.labelLegend;
      div.appendChild(title);
      function row(colour, text) {
        var line = document.createElement("div");
        var swatch = document.createElement("i");
        swatch.style.background = colour;
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(text));
        div.appendChild(line);
      }
      row(EMPTY, "0");
      var low = 1;
      cuts.forEach(function (cut) {
        row(colourFor(cut, cuts), low === cut ? fmt(cut) : fmt(low) + "\u2013" + fmt(cut));
        low = cut + 1;
      });
      return div;
    };
    control.addTo(map);
  }

  function draw(el) {
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false });
    fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var cuts = breaks(data.features.map(function (f) { return f.properties.selected || 0; }));
        var layer = L.geoJSON(data, {
          style: function (f) {
            return { color: "#555", weight: 0.7, fillOpacity: 0.85, fillColor: colourFor(f.properties.selected, cuts) };
          },
          onEachFeature: function (f, lyr) {
            var p = f.properties;
            lyr.bindTooltip(
              "<strong>" + escapeHtml(p.nama) + "</strong>" + (p.induk ? " (" + escapeHtml(p.induk) + ")" : "") +
              "<br>" + fmt(p.selected) + " " + escapeHtml(el.dataset.labelSelected) +
              " · " + fmt(p.waiting) + " " + escapeHtml(el.dataset.labelWaiting) +
              " · " + fmt(p.eligible) + " " + escapeHtml(el.dataset.labelEligible),
              { sticky: true }
            );
            lyr.on("mouseover", function () { lyr.setStyle({ weight: 2.5, color: "#111" }); });
            lyr.on("mouseout", function () { layer.resetStyle(lyr); });
          }
        }).addTo(map);
        if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); }
        legend(map, cuts, el);
      })
      .catch(function () {
        el.classList.add("map-error");
        el.textContent = el.dataset.labelError;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll(".map[data-geojson]").forEach(draw);
  });
})();
