// Draws the console's ECharts plots (echarts.min.js, loaded before this script, defines
// window.echarts). Each plot is an element with data-chart naming its kind and data-source naming
// the JSON endpoint next to the page; figures come as decimal strings and are drawn as numbers.
// Tooltips are drawn on the canvas (renderMode richText): ECharts' HTML tooltips carry inline style
// attributes, which the console's CSP refuses.
const drawings = {
  sankey(plot) {
    if (plot.links.length === 0) return null;
    return {
      tooltip: {
        renderMode: 'richText',
        trigger: 'item',
        formatter: (item) =>
          item.dataType === 'edge'
            ? `${item.data.source} ${item.data.target}: ${item.data.value.toLocaleString('en')} source points, ${item.data.transfers} transfers`
            : item.name,
      },
      series: [
        {
          type: 'sankey',
          layoutIterations: 32,
          emphasis: { focus: 'adjacency' },
          lineStyle: { color: 'gradient', curveness: 0.5 },
          data: plot.nodes,
          links: plot.links.map((link) => ({
            source: link.source,
            target: link.target,
            value: Number(link.sourcePoints),
            transfers: link.transfers,
          })),
        },
      ],
    };
  },

  liability(plot) {
    if (plot.programs.length === 0) return null;
    return {
      tooltip: { renderMode: 'richText', trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 80, right: 24, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: plot.days },
      yAxis: { type: 'value', name: 'points owed to members' },
      series: plot.programs.map((program) => ({
        name: `${program.name} (${program.unitName})`,
        type: 'line',
        showSymbol: false,
        data: program.balancePoints.map(Number),
      })),
    };
  },

  positions(plot) {
    if (plot.currencies.length === 0) return null;
    const parties = [
      ...new Set(plot.currencies.flatMap((currency) => currency.parties.map((party) => party.partyId))),
    ];
    return {
      tooltip: { renderMode: 'richText', trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 80, right: 24, top: 40, bottom: 80 },
      xAxis: { type: 'category', data: parties, axisLabel: { rotate: 20 } },
      yAxis: { type: 'value', name: 'net (receives > 0), major units' },
      series: plot.currencies.map((currency) => ({
        name: currency.currency,
        type: 'bar',
        data: parties.map((partyId) => {
          const party = currency.parties.find((candidate) => candidate.partyId === partyId);
          return party ? Number(party.netMinor) / 100 : null;
        }),
      })),
    };
  },
};

async function draw(element) {
  const response = await fetch(element.dataset.source, { credentials: 'same-origin' });
  if (!response.ok) {
    element.textContent = `The figures could not be read (${response.status}).`;
    return;
  }
  const option = drawings[element.dataset.chart]?.(await response.json());
  if (!option) {
    element.textContent = 'Nothing to draw for this period.';
    element.classList.add('empty');
    return;
  }
  const chart = window.echarts.init(element);
  chart.setOption(option);
  window.addEventListener('resize', () => chart.resize());
}

for (const element of document.querySelectorAll('.chart[data-chart]')) draw(element);
