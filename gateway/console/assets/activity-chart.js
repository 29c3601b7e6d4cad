// Draws the console's transfers-per-minute plot with uPlot (loaded before this script) from the
// JSON the page names in data-source: { minutes: [epoch seconds], series: [{ outcome, counts }] }.
const colours = {
  completed: '#2e7d32',
  failed: '#c62828',
  needs_attention: '#ef6c00',
  in_flight: '#1565c0',
};

async function drawActivity(element) {
  const response = await fetch(element.dataset.source, { credentials: 'same-origin' });
  if (!response.ok) {
    element.textContent = `The figures could not be read (${response.status}).`;
    return;
  }
  const activity = await response.json();
  const options = {
    width: Math.max(element.clientWidth, 480),
    height: 320,
    scales: { x: { time: true } },
    axes: [{}, { label: 'transfers per minute' }],
    series: [
      {},
      ...activity.series.map((line) => ({
        label: line.outcome.replace('_', ' '),
        stroke: colours[line.outcome] ?? '#555',
        width: 2,
        points: { show: false },
      })),
    ],
  };
  const data = [activity.minutes, ...activity.series.map((line) => line.counts)];
  // uPlot's browser build defines it as a global.
  new window.uPlot(options, data, element);
}

const chart = document.getElementById('activity-chart');
if (chart) drawActivity(chart);
