// Draws the dashboard's charts from the JSON island the server wrote into the page (id "chart-data").
// Chart.js is loaded before this file from the server's own copy of its UMD build.
(() => {
  const island = document.getElementById('chart-data');
  if (!island || typeof Chart === 'undefined') return;
  const data = JSON.parse(island.textContent);
  // Colour-blind-safe palette (Okabe-Ito), one colour per series.
  const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
  const common = { responsive: true, maintainAspectRatio: false, animation: false };
  const charts = {};

  const completion = data.completionByNavigator;
  charts.completion = new Chart(document.getElementById('chart-completion'), {
    type: 'bar',
    data: {
      labels: completion.labels,
      datasets: [
        { label: completion.series[0], data: completion.met, backgroundColor: palette[2] },
        { label: completion.series[1], data: completion.attempted, backgroundColor: palette[4] },
        { label: completion.series[2], data: completion.notDone, backgroundColor: palette[1] },
      ],
    },
    options: {
      ...common,
      indexAxis: 'y',
      scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
    },
  });

  const needs = data.needsByArea;
  charts.needs = new Chart(document.getElementById('chart-needs'), {
    type: 'bar',
    data: {
      labels: needs.weeks,
      datasets: needs.series.map((s, i) => ({
        label: s.label,
        data: s.counts,
        backgroundColor: palette[i % palette.length],
      })),
    },
    options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } },
  });

  const response = data.responseByLanguage;
  charts.response = new Chart(document.getElementById('chart-response'), {
    type: 'bar',
    data: {
      labels: response.labels,
      datasets: [{ label: response.series, data: response.rates, backgroundColor: palette[0] }],
    },
    options: { ...common, scales: { y: { min: 0, max: 100 } } },
  });

  // What each chart was drawn with, for people checking the figures (and for automated checks).
  for (const [name, chart] of Object.entries(charts)) {
    chart.canvas.dataset.drawn = JSON.stringify(chart.data.datasets.map((d) => d.data));
    chart.canvas.dataset.name = name;
  }
  document.body.dataset.chartsReady = 'true';
})();
