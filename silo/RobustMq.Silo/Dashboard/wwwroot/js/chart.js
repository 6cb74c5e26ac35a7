// A small line chart on <canvas>: a sliding window of points, one line per series, y from 0 to a rounded maximum.
import { h, fmt } from './dom.js';

export class LineChart {
  /** series: [{name, color}]; capacity: how many points are kept (the window). */
  constructor(title, unit, series, capacity = 150) {
    this.series = series;
    this.unit = unit;
    this.capacity = capacity;
    this.points = []; // [{t, values: [number|null]}]
    this.canvas = h('canvas', { class: 'chart-canvas', role: 'img', 'aria-label': title });
    this.legend = h('div', { class: 'legend' });
    this.element = h('section', { class: 'chart card', 'data-points': '0' }, h('h2', { text: title }), this.legend, this.canvas);
  }

  push(t, values) {
    this.points.push({ t, values });
    if (this.points.length > this.capacity) this.points.shift();
    this.element.dataset.points = String(this.points.length);
    this.draw();
  }

  draw() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const style = getComputedStyle(canvas);
    const grid = style.getPropertyValue('--chart-grid') || '#e5e7eb';
    const ink = style.getPropertyValue('--chart-ink') || '#6b7280';
    const left = 56, right = 10, top = 8, bottom = 22;
    const plotW = width - left - right, plotH = height - top - bottom;

    let max = 0;
    for (const p of this.points) for (const v of p.values) if (v !== null && v > max) max = v;
    const scale = niceMax(max);

    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = ink;
    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const y = top + plotH - (plotH * i) / 4;
      ctx.beginPath();
      ctx.moveTo(left, Math.round(y) + 0.5);
      ctx.lineTo(left + plotW, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillText(fmt.axis((scale * i) / 4), left - 6, y);
    }

    // The points fill the width as they come, then the window slides.
    const span = Math.max(1, this.points.length - 1);
    const xOf = (i) => (this.points.length === 1 ? left + plotW : left + (plotW * i) / span);
    ctx.textBaseline = 'alphabetic';
    if (this.points.length > 0) {
      const clock = (t) => new Date(t).toTimeString().slice(0, 8);
      ctx.textAlign = 'right';
      ctx.fillText(clock(this.points[this.points.length - 1].t), left + plotW, height - 6);
      if (this.points.length > 1) {
        ctx.textAlign = 'left';
        ctx.fillText(clock(this.points[0].t), left, height - 6);
      }
    }

    this.series.forEach((s, k) => {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      let drawing = false;
      this.points.forEach((p, i) => {
        const v = p.values[k];
        if (v === null || v === undefined) { drawing = false; return; }
        const x = xOf(i), y = top + plotH - (plotH * v) / scale;
        if (drawing) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        drawing = true;
      });
      ctx.stroke();
      // The latest value as a dot: visible even before there is a line.
      const last = this.points.length - 1;
      const v = last >= 0 ? this.points[last].values[k] : null;
      if (v !== null && v !== undefined) {
        ctx.fillStyle = s.color;
        ctx.beginPath();
        ctx.arc(xOf(last), top + plotH - (plotH * v) / scale, 3, 0, 2 * Math.PI);
        ctx.fill();
      }
    });

    const latest = this.points[this.points.length - 1]?.values ?? [];
    this.legend.replaceChildren(...this.series.map((s, k) =>
      h('span', { class: 'legend-item' }, h('i', { class: 'swatch', style: { background: s.color } }), `${s.name}: ${fmt.rate(latest[k])} ${this.unit}`)));
  }
}

/** 1, 2 or 5 times a power of ten, at least the maximum (and at least 1). */
function niceMax(max) {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * power >= max) return m * power;
  return 10 * power;
}
