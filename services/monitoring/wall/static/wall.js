// The browser wall: fills each panel of the page (wall.html) from /wall/data, every refresh interval
// of the Grafana dashboard. Panel kinds, units, thresholds and labels come from the same PanelSpecs
// (the #wall-layout JSON), so the page draws what Grafana draws.
(function () {
  "use strict";

  const layout = JSON.parse(document.getElementById("wall-layout").textContent);
  const byId = new Map(layout.panels.map((panel) => [panel.id, panel]));
  const charts = new Map();
  const select = document.getElementById("street");
  const status = document.getElementById("status");
  const timeFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    second: "2-digit", hour12: false,
  });
  const dayFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit" });
  const minuteFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false,
  });
  const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
  let timer = null;
  let rounds = 0;

  function unitSuffix(unit) {
    if (!unit) return "";
    if (unit === "percent") return "%";
    if (unit.startsWith("suffix:")) return unit.slice("suffix:".length);
    return "";
  }

  // Grafana's display of a number: fixed decimals when the panel sets them, else up to 2.
  function formatNumber(value, panel) {
    if (value === null || value === undefined) return "无数据";
    const decimals = panel.decimals === null ? (Number.isInteger(value) ? 0 : 2) : panel.decimals;
    return value.toFixed(decimals) + unitSuffix(panel.unit);
  }

  // The colour of the highest threshold step the value reaches (Grafana's absolute thresholds).
  function colour(value, thresholds) {
    if (!thresholds) return "#5794F2";
    let found = thresholds.base;
    if (value === null || value === undefined) return "#34373f";
    for (const [step, stepColour] of thresholds.steps) {
      if (value >= step) found = stepColour;
    }
    return found;
  }

  function label(panel, column) {
    return panel.labels[column] || column;
  }

  function mapped(panel, value) {
    if (typeof value === "string" && Object.prototype.hasOwnProperty.call(panel.mappings, value)) {
      return panel.mappings[value];
    }
    if (typeof value === "string" && ISO_TIME.test(value)) return timeFormat.format(new Date(value));
    if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(2);
    return value === null || value === undefined ? "" : String(value);
  }

  function chart(element, body) {
    let instance = charts.get(element.id);
    if (!instance) {
      body.replaceChildren();
      const holder = document.createElement("div");
      holder.className = "chart";
      body.appendChild(holder);
      instance = echarts.init(holder, "dark", { renderer: "canvas" });
      charts.set(element.id, instance);
    }
    return instance;
  }

  function dropChart(element) {
    const instance = charts.get(element.id);
    if (instance) {
      instance.dispose();
      charts.delete(element.id);
    }
  }

  function numericColumns(panel, rows) {
    return panel.columns.slice(1).filter((column, index) =>
      rows.some((row) => typeof row[index + 1] === "number") || rows.every((row) => row[index + 1] === null));
  }

  // A KPI with targets has a `status` column (its progress: a value of `panel.colours`): it colours
  // the figures and is printed under them with the columns not `shown` (target, expectation, period).
  function renderStat(element, body, panel, data) {
    dropChart(element);
    const row = data.rows[0] || [];
    const at = (column) => {
      const index = panel.columns.indexOf(column);
      return index < 0 || row[index] === undefined ? null : row[index];
    };
    const progress = Object.keys(panel.colours || {}).length > 0 && panel.columns.includes("status");
    const shown = (panel.shown || panel.columns).filter((column) => !(progress && column === "status"));
    const status = progress ? at("status") : null;
    const statusColour = status !== null && panel.colours[status] ? panel.colours[status] : null;
    const several = shown.length > 1;
    element.classList.toggle("single", !several);
    element.classList.toggle("progress", progress);
    const grid = document.createElement("div");
    grid.className = "stats";
    // a wide, low panel puts its figures side by side; otherwise two to a row
    const wide = panel.grid.w >= 2.5 * panel.grid.h;
    const across = several ? (wide ? shown.length : Math.min(shown.length, 2)) : 1;
    grid.style.gridTemplateColumns = `repeat(${across}, 1fr)`;
    shown.forEach((column) => {
      const value = at(column);
      const tile = document.createElement("div");
      tile.className = "stat";
      tile.dataset.column = column;
      tile.dataset.value = value === null ? "" : String(value);
      tile.style.background = statusColour || colour(value, panel.thresholds);
      if (several) {
        const name = document.createElement("div");
        name.className = "name";
        name.textContent = label(panel, column);
        tile.appendChild(name);
      }
      const number = document.createElement("div");
      number.className = "number";
      number.textContent = formatNumber(value, panel);
      tile.appendChild(number);
      grid.appendChild(tile);
    });
    // the columns not shown as figures are details (PanelSpec.shown), printed under the figures
    const hidden = panel.columns.filter((column) => !(progress && column === "status") && !shown.includes(column));
    element.classList.toggle("with-details", !progress && hidden.length > 0);
    if (!progress && !hidden.length) {
      body.replaceChildren(grid);
      return;
    }
    const details = document.createElement("div");
    details.className = "details";
    if (progress) {
      const badge = document.createElement("div");
      badge.className = "detail status";
      badge.dataset.column = "status";
      badge.dataset.value = status === null ? "" : status;
      badge.textContent = `${label(panel, "status")}：${status === null ? "—" : mapped(panel, status)}`;
      if (statusColour) badge.style.color = statusColour;
      details.appendChild(badge);
    }
    hidden.forEach((column) => {
      const value = at(column);
      const line = document.createElement("div");
      line.className = "detail";
      line.dataset.column = column;
      line.dataset.value = value === null ? "" : String(value);
      line.textContent = `${label(panel, column)}：${value === null ? "—" : formatNumber(value, panel)}`;
      details.appendChild(line);
    });
    body.replaceChildren(grid, details);
  }

  function gaugeColours(panel, max) {
    const thresholds = panel.thresholds || { base: "#5794F2", steps: [] };
    const stops = [];
    let current = thresholds.base;
    for (const [step, stepColour] of thresholds.steps) {
      if (step > 0 && step <= max) stops.push([step / max, current]);
      current = stepColour;
    }
    stops.push([1, current]);
    return stops;
  }

  function renderGauge(element, body, panel, data) {
    const row = data.rows[0] || [];
    const max = panel.unit === "percent" ? 100 : Math.max(1, ...row.filter((v) => typeof v === "number"));
    const count = panel.columns.length;
    const holder = chart(element, body);
    // side by side without touching: a gauge's radius is bounded by its share of the width too
    const radius = Math.max(24, Math.min(holder.getHeight() * 0.4, (holder.getWidth() / count) * 0.45));
    const series = panel.columns.map((column, index) => ({
      type: "gauge", min: 0, max, radius,
      center: [`${(100 * (index + 0.5)) / count}%`, "58%"],
      axisLine: { lineStyle: { width: Math.min(14, radius / 6), color: gaugeColours(panel, max) } },
      pointer: { width: 4 }, splitLine: { length: Math.min(10, radius / 8) }, axisTick: { show: false },
      axisLabel: { show: radius >= 70, distance: 18, fontSize: 10 }, // a small dial has no room for its scale
      title: { offsetCenter: [0, "95%"], fontSize: radius >= 70 ? 14 : 12, color: "#ccccdc" },
      detail: { offsetCenter: [0, "55%"], fontSize: radius >= 70 ? 22 : 16, formatter: () => formatNumber(row[index] ?? null, panel) },
      data: [{ value: row[index] ?? 0, name: label(panel, column) }],
    }));
    element.dataset.values = JSON.stringify(row);
    holder.setOption({ backgroundColor: "transparent", animation: false, series }, true);
  }

  function renderBars(element, body, panel, data) {
    const categories = data.rows.map((row) => mapped(panel, row[0]));
    const columns = numericColumns(panel, data.rows);
    if (!data.rows.length) return renderEmpty(element, body);
    const series = columns.map((column) => {
      const index = panel.columns.indexOf(column);
      return {
        type: "bar", name: label(panel, column), data: data.rows.map((row) => row[index]),
        label: { show: categories.length * columns.length <= 24, position: panel.horizontal ? "right" : "top", fontSize: 11,
          // the panel's decimals, as Grafana writes a bar's value (a rate would show 15 digits otherwise)
          formatter: (params) => (typeof params.value === "number" && panel.decimals !== null
            ? params.value.toFixed(panel.decimals) : String(params.value ?? "")) },
      };
    });
    const holder = chart(element, body);
    // Long names must not run into each other: beside horizontal bars they are cut at 40 % of the
    // width (the tooltip has them whole); under vertical bars they slant when they do not fit.
    const longest = Math.max(...categories.map((name) => String(name).length));
    const slant = !panel.horizontal && longest * 12 > (holder.getWidth() - 48) / categories.length;
    const category = { type: "category", data: categories, inverse: panel.horizontal,
      axisLabel: { fontSize: 11, interval: 0, rotate: slant ? 35 : 0, width: holder.getWidth() * 0.4, overflow: "truncate" } };
    const narrow = (panel.horizontal ? holder.getWidth() * 0.6 : holder.getHeight()) < 240;
    const values = { type: "value", splitLine: { lineStyle: { color: "#22252b" } }, splitNumber: narrow ? 3 : 5,
      axisLabel: { fontSize: 11, hideOverlap: true } };
    holder.setOption({
      backgroundColor: "transparent", animation: false, tooltip: { trigger: "axis" },
      legend: { bottom: 0, textStyle: { fontSize: 12 } },
      grid: { left: 8, right: 32, top: 16, bottom: 28, containLabel: true },
      xAxis: panel.horizontal ? values : category, yAxis: panel.horizontal ? category : values, series,
    }, true);
  }

  function renderLines(element, body, panel, data) {
    const columns = numericColumns(panel, data.rows);
    if (!data.rows.length) return renderEmpty(element, body);
    const series = columns.map((column) => {
      const index = panel.columns.indexOf(column);
      return {
        type: "line", name: label(panel, column), showSymbol: true, symbolSize: 4, lineStyle: { width: 2 },
        areaStyle: { opacity: 0.1 }, data: data.rows.map((row) => [row[0], row[index]]),
      };
    });
    // Points within a day (a live session's viewer samples) are labelled by the minute, weeks by the day.
    const times = data.rows.map((row) => new Date(row[0]).getTime());
    const intraday = Math.max(...times) - Math.min(...times) < 86400000;
    const axisFormat = intraday ? minuteFormat : dayFormat;
    const holder = chart(element, body);
    holder.setOption({
      backgroundColor: "transparent", animation: false, tooltip: { trigger: "axis" },
      legend: { bottom: 0, textStyle: { fontSize: 12 } },
      grid: { left: 8, right: 24, top: 16, bottom: 28, containLabel: true },
      // about one label per 90 px, so dates do not run into each other in a narrow panel
      xAxis: { type: "time", minInterval: intraday ? 60000 : 7 * 86400000,
        splitNumber: Math.max(2, Math.floor(holder.getWidth() / 90)),
        axisLabel: { formatter: (value) => axisFormat.format(new Date(value)), fontSize: 11, hideOverlap: true } },
      yAxis: { type: "value", splitLine: { lineStyle: { color: "#22252b" } } }, series,
    }, true);
  }

  function renderTable(element, body, panel, data) {
    dropChart(element);
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const column of panel.columns) {
      const th = document.createElement("th");
      th.textContent = label(panel, column);
      head.appendChild(th);
    }
    const rows = table.createTBody();
    for (const row of data.rows) {
      const tr = rows.insertRow();
      panel.columns.forEach((column, index) => {
        const td = tr.insertCell();
        // in a block of bounded width: one long name (an industry's) must not squeeze the other columns
        const text = document.createElement("span");
        text.className = "cell";
        text.textContent = mapped(panel, row[index]);
        text.title = text.textContent;
        td.appendChild(text);
        if (column === "level" && typeof row[index] === "string") td.className = `level-${row[index]}`;
      });
    }
    if (!data.rows.length) {
      const td = rows.insertRow().insertCell();
      td.colSpan = panel.columns.length;
      td.textContent = "暂无";
    }
    body.replaceChildren(table);
  }

  // A map: each place a tile at its (lon, lat) on a plain value grid (no map tiles: the page works
  // offline), coloured by the first figure, which its label shows; the place with the largest figure
  // ripples. Every figure is in the tooltip. Columns: name, code, lon, lat, figures (MAP_COLUMNS).
  function renderMap(element, body, panel, data) {
    if (!data.rows.length) return renderEmpty(element, body);
    const figures = panel.columns.slice(4);
    const lons = [...new Set(data.rows.map((row) => row[2]))].sort((a, b) => a - b);
    const lats = [...new Set(data.rows.map((row) => row[3]))].sort((a, b) => a - b);
    const gaps = [...lons.slice(1).map((v, i) => v - lons[i]), ...lats.slice(1).map((v, i) => v - lats[i])];
    const step = gaps.length ? Math.min(...gaps) : 1;
    const columns = Math.round((lons[lons.length - 1] - lons[0]) / step) + 1;
    const rows = Math.round((lats[lats.length - 1] - lats[0]) / step) + 1;
    const holder = chart(element, body);
    const tile = [Math.max(24, (holder.getWidth() - 8) / columns - 6), Math.max(20, (holder.getHeight() - 8) / rows - 6)];
    const size = Math.min(...tile);
    const values = data.rows.map((row) => row[4]).filter((v) => typeof v === "number");
    const top = values.length ? Math.max(...values) : null;
    const points = data.rows.map((row) => ({
      name: mapped(panel, row[0]), value: [row[2], row[3], row[4]], row,
    }));
    const tooltip = (params) => {
      const row = params.data.row;
      const lines = figures.map((column, index) =>
        `${label(panel, column)}：${row[index + 4] === null ? "无数据" : mapped(panel, row[index + 4])}`);
      return [`<b>${params.data.name}</b>`, ...lines].join("<br>");
    };
    const axis = (low, high) => ({ type: "value", show: false, min: low - step / 2, max: high + step / 2 });
    element.dataset.values = JSON.stringify(data.rows.map((row) => [row[1], row[4]]));
    holder.setOption({
      backgroundColor: "transparent", animation: false, tooltip: { trigger: "item", formatter: tooltip },
      grid: { left: 4, right: 4, top: 4, bottom: 4 },
      xAxis: axis(lons[0], lons[lons.length - 1]), yAxis: axis(lats[0], lats[lats.length - 1]),
      visualMap: { show: false, seriesIndex: 0, dimension: 2, min: 0, max: Math.max(1, top || 0),
        inRange: { color: ["#1d3b5e", "#5794F2"] } },
      series: [
        { type: "scatter", symbol: "roundRect", symbolSize: tile, data: points,
          label: { show: true, color: "#fff", fontSize: Math.max(9, Math.min(13, size / 3.2, tile[0] / 5.5)),
            formatter: (params) => `${params.data.name}\n${params.data.row[4] === null ? "—" : mapped(panel, params.data.row[4])}` } },
        { type: "effectScatter", symbolSize: size / 4, silent: true, z: 3, symbolOffset: [tile[0] * 0.4, -tile[1] * 0.32],
          rippleEffect: { scale: 2.5, brushType: "stroke" }, itemStyle: { color: "#FF9830", opacity: 0.35 },
          data: top ? points.filter((point) => point.value[2] === top).map((point) => point.value) : [] },
      ],
    }, true);
  }

  function renderEmpty(element, body) {
    dropChart(element);
    const empty = document.createElement("div");
    empty.className = "empty";
    empty.textContent = "暂无数据";
    body.replaceChildren(empty);
  }

  const RENDER = {
    stat: renderStat, gauge: renderGauge, barchart: renderBars, timeseries: renderLines, table: renderTable,
    geomap: renderMap,
  };

  function renderPanel(data) {
    const panel = byId.get(data.id);
    const element = document.getElementById(`panel-${data.id}`);
    if (!panel || !element) return false;
    RENDER[panel.kind](element, element.querySelector(".body"), panel, data);
    element.dataset.state = "rendered";
    element.dataset.rows = String(data.rows.length);
    return true;
  }

  async function refresh() {
    clearTimeout(timer);
    const street = select.value;
    try {
      const query = new URLSearchParams({ street });
      const to = new URL(window.location.href).searchParams.get("to");
      if (to) query.set("to", to); // a past day's wall (its end), as Grafana's time range would show it
      const response = await fetch(`${layout.data_url}?${query}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      if (select.value !== street) return; // the 街镇 changed meanwhile: that refresh is under way
      const rendered = data.panels.filter(renderPanel).length;
      rounds += 1;
      document.body.dataset.street = street;
      document.body.dataset.rounds = String(rounds);
      document.body.dataset.wall = rendered === layout.panels.length ? "rendered" : "partial";
      status.textContent = `更新于 ${timeFormat.format(new Date(data.generated_at))}，每 ${layout.refresh_ms / 1000} 秒刷新`;
    } catch (error) {
      document.body.dataset.wall = "error";
      status.textContent = `数据获取失败（${error.message}），稍后自动重试`;
    } finally {
      timer = setTimeout(refresh, layout.refresh_ms);
    }
  }

  select.addEventListener("change", () => {
    const url = new URL(window.location.href);
    if (select.value) url.searchParams.set("street", select.value);
    else url.searchParams.delete("street");
    window.history.replaceState(null, "", url);
    refresh();
  });
  window.addEventListener("resize", () => charts.forEach((instance) => instance.resize()));
  refresh();
})();
