/* SIGAP leaders' dashboard: draws the charts (Chart.js, vendored) from the page's JSON block
   (<script type="application/json">, no inline script: the CSP forbids it), prints on A4.
   Every chart has the same numbers in the table below it (details/summary). */
(function () {
  "use strict";
  // Colour-blind safe (Okabe-Ito based), dark enough on white.
  var COLOURS = {
    covered: "#0b5d3b", pending: "#a86f00", exited: "#0072b2", rejected: "#b2182b", waiting: "#8c939c",
    paid: "#0b5d3b", invoiced: "#0072b2", forecast: "#0072b2", plan: "#6b7280", allocated: "#b2182b"
  };
  var PRINT_WIDTH = 700; // px: A4 portrait minus 12 mm margins at 96 dpi, one column
  var PRINT_HEIGHT = 240;
  var charts = [];
  var sources = {};

  function number(n) { return Number(n).toLocaleString("id-ID"); }
  function rupiah(n) { return "Rp" + number(n); }
  var compact = new Intl.NumberFormat("id-ID", { notation: "compact", maximumFractionDigits: 1 });
  function rupiahShort(n) { return "Rp" + compact.format(n); }

  function source(id) {
    if (!(id in sources)) {
      var el = document.getElementById(id);
      sources[id] = el ? JSON.parse(el.textContent).charts || {} : {};
    }
    return sources[id];
  }

  function base(money) {
    var format = money ? rupiah : number;
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      locale: "id-ID",
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 14, boxHeight: 14 } },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var value = ctx.parsed && (ctx.chart.options.indexAxis === "y" ? ctx.parsed.x : ctx.parsed.y);
              return ctx.dataset.label + ": " + format(value);
            }
          }
        }
      }
    };
  }

  /* Long category names on several lines (Chart.js draws an array as lines), never cut off. */
  function wrap(label, width) {
    var words = String(label).split(" ");
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines.length > 1 ? lines : lines[0] || "";
  }

  /* Members per kecamatan / desil / occupation: horizontal stacked bars, the box grows with the rows. */
  function stacked(spec, box) {
    var rows = spec.labels.length;
    var width = box.clientWidth < 480 ? 14 : 24;
    var labels = spec.labels.map(function (l) { return wrap(l, width); });
    box.style.height = Math.max(170, rows * (width < 20 ? 36 : 30) + 100) + "px"; // CSSOM, allowed by the CSP
    var options = base(false);
    options.indexAxis = "y";
    options.scales = {
      x: { stacked: true, beginAtZero: true, ticks: { precision: 0, callback: function (v) { return number(v); } } },
      y: { stacked: true, ticks: { autoSkip: false } }
    };
    return {
      type: "bar",
      data: {
        labels: labels,
        datasets: spec.series.map(function (s) {
          return { label: s.label, data: s.data, backgroundColor: COLOURS[s.key], borderWidth: 0, maxBarThickness: 22 };
        })
      },
      options: options
    };
  }

  function dashedAfter(future) {
    return function (ctx) { return future[ctx.p1DataIndex] ? [6, 4] : undefined; };
  }

  /* Members covered per month; months after the figures' date are a forecast (dashed). */
  function coverage(spec) {
    var s = spec.series[0];
    var options = base(false);
    options.plugins.legend.display = false;
    options.scales = { y: { beginAtZero: true, ticks: { precision: 0, callback: function (v) { return number(v); } } } };
    return {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: [{
          label: s.label, data: s.data, borderColor: COLOURS.covered, backgroundColor: "rgba(11,93,59,.12)",
          fill: true, tension: 0, pointRadius: 3, borderWidth: 2.5,
          segment: { borderDash: dashedAfter(spec.future) }
        }]
      },
      options: options
    };
  }

  /* Budget burn: cumulative paid, invoiced, invoiced + still to invoice, against the straight-line plan. */
  function budget(spec) {
    var options = base(true);
    options.plugins.legend.labels = { usePointStyle: true, pointStyle: "line", boxWidth: 28 };
    options.scales = { y: { beginAtZero: true, ticks: { callback: function (v) { return rupiahShort(v); } } } };
    var styles = {
      paid: { borderWidth: 3, fill: true, backgroundColor: "rgba(11,93,59,.10)" },
      invoiced: { borderWidth: 2 },
      forecast: { borderWidth: 2, borderDash: [6, 4] },
      plan: { borderWidth: 1.5, borderDash: [2, 3] }
    };
    var datasets = spec.series.map(function (s) {
      var d = { label: s.label, data: s.data, borderColor: COLOURS[s.key], backgroundColor: COLOURS[s.key], pointRadius: 2, tension: 0, fill: false };
      var extra = styles[s.key] || {};
      for (var k in extra) { if (Object.prototype.hasOwnProperty.call(extra, k)) { d[k] = extra[k]; } }
      return d;
    });
    datasets.push({
      label: spec.allocated_label, data: spec.labels.map(function () { return spec.allocated; }),
      borderColor: COLOURS.allocated, backgroundColor: COLOURS.allocated, borderWidth: 1.5, pointRadius: 0, fill: false
    });
    return { type: "line", data: { labels: spec.labels, datasets: datasets }, options: options };
  }

  var BUILDERS = { kecamatan: stacked, desil: stacked, occupation: stacked, coverage: coverage, budget: budget };

  function draw(canvas) {
    var name = canvas.dataset.chart;
    var spec = source(canvas.dataset.source)[name];
    var box = canvas.parentNode;
    if (!spec || !BUILDERS[name] || !spec.labels.length) {
      box.classList.add("chart-empty");
      return;
    }
    var chart = new window.Chart(canvas, BUILDERS[name](spec, box));
    charts.push({ chart: chart, box: box });
  }

  /* Printing: open the tables and draw the charts at the paper's width, then put everything back. */
  var printing = false;
  function beforePrint() {
    if (printing) { return; }
    printing = true;
    document.querySelectorAll("details.data, details.defs").forEach(function (d) {
      if (!d.open) { d.open = true; d.dataset.printOpened = "1"; }
    });
    charts.forEach(function (c) {
      c.screenHeight = c.box.style.height;
      var rows = c.chart.config.type === "bar" ? c.chart.data.labels.length : 0;
      var height = rows ? Math.max(150, rows * 28 + 60) : PRINT_HEIGHT;
      c.box.style.width = PRINT_WIDTH + "px";
      c.box.style.height = height + "px";
      c.chart.resize(PRINT_WIDTH, height);
    });
  }
  function afterPrint() {
    if (!printing) { return; }
    printing = false;
    document.querySelectorAll("details[data-print-opened]").forEach(function (d) {
      d.open = false;
      delete d.dataset.printOpened;
    });
    charts.forEach(function (c) {
      c.box.style.width = "";
      c.box.style.height = c.screenHeight || "";
      c.chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", afterPrint);
    if (typeof window.Chart === "undefined") { return; }
    var style = window.getComputedStyle(document.body);
    window.Chart.defaults.font.family = style.fontFamily;
    window.Chart.defaults.font.size = 13;
    window.Chart.defaults.color = "#1b1f24";
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
