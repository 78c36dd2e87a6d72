/* SIGAP dashboard choropleth: members covered per kelurahan (or coverage share), polygons only
   (no tile server).  The numbers are the dashboard's kelurahan table, served as GeoJSON. */
(function () {
  "use strict";
  var COLOURS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]; // ColorBrewer Blues, 5 classes
  var EMPTY = "#e5e5e5";
  var PRINT_WIDTH = 700; // px: A4 portrait minus margins (the same as dashboard.js)
  var PRINT_HEIGHT = 470;
  var maps = [];

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fmt(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function percent(bp) {
    return bp === null || bp === undefined ? "–" : Math.floor(bp / 100) + "," + ("0" + (bp % 100)).slice(-2) + "%";
  }

  /* What a feature is coloured by: members covered (count) or coverage (basis points of the eligible). */
  var METRICS = {
    covered: { value: function (p) { return p.covered || 0; }, label: fmt },
    coverage: {
      value: function (p) { return p.eligible ? p.coverage_bp || 0 : 0; },
      label: percent
    }
  };

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

  function legendContent(div, title, cuts, metric) {
    // Built with DOM calls: the CSP forbids style attributes in markup.
    while (div.firstChild) { div.removeChild(div.firstChild); }
    var heading = document.createElement("strong");
    heading.textContent = title;
    div.appendChild(heading);
    function row(colour, text) {
      var line = document.createElement("div");
      var swatch = document.createElement("i");
      swatch.style.background = colour;
      line.appendChild(swatch);
      line.appendChild(document.createTextNode(text));
      div.appendChild(line);
    }
    row(EMPTY, metric.label(0));
    var low = 1;
    cuts.forEach(function (cut) {
      row(colourFor(cut, cuts), low >= cut ? metric.label(cut) : metric.label(low) + "\u2013" + metric.label(cut));
      low = cut + 1;
    });
  }

  function tooltip(el, p) {
    return "<strong>" + escapeHtml(p.nama) + "</strong>" + (p.induk ? " (" + escapeHtml(p.induk) + ")" : "") +
      "<br>" + fmt(p.covered) + " " + escapeHtml(el.dataset.labelCovered) +
      " · " + fmt(p.pending) + " " + escapeHtml(el.dataset.labelPending) +
      "<br>" + fmt(p.eligible) + " " + escapeHtml(el.dataset.labelEligible) +
      " · " + escapeHtml(el.dataset.labelCoverage) + " " + percent(p.eligible ? p.coverage_bp : null);
  }

  function draw(el) {
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false });
    var state = { map: map, el: el, layer: null };
    maps.push(state);
    var legendDiv = null;
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () { legendDiv = L.DomUtil.create("div", "legend"); return legendDiv; };
    fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: { color: "#555", weight: 0.7, fillOpacity: 0.85, fillColor: EMPTY },
          onEachFeature: function (f, lyr) {
            lyr.bindTooltip(tooltip(el, f.properties), { sticky: true });
            lyr.on("mouseover", function () { lyr.setStyle({ weight: 2.5, color: "#111" }); });
            lyr.on("mouseout", function () { lyr.setStyle({ weight: 0.7, color: "#555" }); });
          }
        }).addTo(map);
        state.layer = layer;
        legend.addTo(map);
        function colour(name) {
          var metric = METRICS[name] || METRICS.covered;
          var cuts = breaks(data.features.map(function (f) { return metric.value(f.properties); }));
          layer.eachLayer(function (lyr) {
            lyr.setStyle({ fillColor: colourFor(metric.value(lyr.feature.properties), cuts) });
          });
          var title = name === "coverage" ? el.dataset.labelLegendCoverage : el.dataset.labelLegendCovered;
          legendContent(legendDiv, title, cuts, metric);
        }
        var select = document.querySelector("select[data-map-metric='" + el.id + "']");
        colour(select ? select.value : "covered");
        if (select) { select.addEventListener("change", function () { colour(select.value); }); }
        if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); }
        el.classList.add("map-ready");
      })
      .catch(function () {
        el.classList.add("map-error");
        el.textContent = el.dataset.labelError;
      });
  }

  function refit(state) {
    state.map.invalidateSize({ animate: false });
    if (state.layer) { state.map.fitBounds(state.layer.getBounds(), { padding: [8, 8], animate: false }); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll(".map[data-geojson]").forEach(draw);
    // Printing: draw the polygons at the paper's width (the screen layout is put back afterwards).
    window.addEventListener("beforeprint", function () {
      maps.forEach(function (s) {
        s.el.style.width = PRINT_WIDTH + "px";
        s.el.style.height = PRINT_HEIGHT + "px";
        refit(s);
      });
    });
    window.addEventListener("afterprint", function () {
      maps.forEach(function (s) {
        s.el.style.width = "";
        s.el.style.height = "";
        refit(s);
      });
    });
  });
})();
