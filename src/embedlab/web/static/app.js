// embedlab explorer: draws every point with WebGL, asks the JSON API for everything else.
// Written for embedlab; no libraries. Coordinates are normalised to [-1, 1] once per layout,
// then a 3x3 rotation, a zoom and a pan (uniforms) place them on screen.
"use strict";

const $ = (id) => document.getElementById(id);
const PALETTE = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];
const BASE = [70, 110, 190];
const OTHER = [200, 200, 200];

const state = {
  keys: [], n: 0, method: "pca", dim: 2,
  raw: null,        // Float32Array n*dim as the server sent it (exported as CSV)
  pos: null,        // Float32Array n*3, normalised
  screen: null, screenDirty: true,
  zoom: 0.9, panX: 0, panY: 0, yaw: 0, pitch: 0,
  selected: -1, neighbors: [], analogy: [], hover: -1,
  wanted: 0,        // increases on each projection switch; late answers are dropped
};

async function api(path, options) {
  const response = await fetch(path, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.arrayBuffer();
  if (!response.ok) {
    const error = new Error((body && body.detail) || response.statusText);
    error.body = body;
    error.status = response.status;
    throw error;
  }
  return body;
}

// ---------------------------------------------------------------- WebGL
const canvas = $("gl");
const overlay = $("overlay");
const ctx = overlay.getContext("2d");
const gl = canvas.getContext("webgl", { antialias: false, preserveDrawingBuffer: true });

const VERTEX = `
attribute vec3 a_pos; attribute vec3 a_color;
uniform mat3 u_rot; uniform vec2 u_scale; uniform vec2 u_offset; uniform float u_size; uniform float u_depth;
varying vec3 v_color;
void main() {
  vec3 p = u_rot * a_pos;
  gl_Position = vec4(p.x * u_scale.x + u_offset.x, p.y * u_scale.y + u_offset.y, 0.0, 1.0);
  gl_PointSize = u_size;
  v_color = a_color * (1.0 - u_depth * 0.35 * (p.z + 1.0) * 0.5);  // farther is darker in 3-D
}`;
const FRAGMENT = `
precision mediump float; varying vec3 v_color; uniform float u_alpha;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  if (dot(d, d) > 0.25) discard;
  gl_FragColor = vec4(v_color, u_alpha);
}`;

function compile(type, source) {
  const shader = gl.createShader(type);
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader));
  return shader;
}

let program = null, posBuffer = null, colorBuffer = null, where = {};
function setupGL() {
  program = gl.createProgram();
  gl.attachShader(program, compile(gl.VERTEX_SHADER, VERTEX));
  gl.attachShader(program, compile(gl.FRAGMENT_SHADER, FRAGMENT));
  gl.linkProgram(program);
  gl.useProgram(program);
  for (const name of ["u_rot", "u_scale", "u_offset", "u_size", "u_alpha", "u_depth"]) {
    where[name] = gl.getUniformLocation(program, name);
  }
  posBuffer = gl.createBuffer();
  colorBuffer = gl.createBuffer();
  gl.enable(gl.BLEND);
  gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
}

function bindAttribute(buffer, name) {
  const location = gl.getAttribLocation(program, name);
  gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
  gl.enableVertexAttribArray(location);
  gl.vertexAttribPointer(location, 3, gl.FLOAT, false, 0, 0);
}

function rotation() {
  if (state.dim === 2) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const cy = Math.cos(state.yaw), sy = Math.sin(state.yaw);
  const cp = Math.cos(state.pitch), sp = Math.sin(state.pitch);
  // Rx(pitch) * Ry(yaw), row-major: row r gives output coordinate r.
  return [cy, 0, sy, sp * sy, cp, -sp * cy, -cp * sy, sp, cp * cy];
}

function aspect() {
  const w = canvas.clientWidth || 1, h = canvas.clientHeight || 1;
  return [Math.min(1, h / w), Math.min(1, w / h)];
}

function pointSize() {
  const n = state.n;
  return (n > 100000 ? 2 : n > 20000 ? 3 : n > 2000 ? 4 : 6) * (window.devicePixelRatio || 1);
}

let renderQueued = false;
function requestRender() {
  state.screenDirty = true;
  if (!renderQueued) { renderQueued = true; requestAnimationFrame(render); }
}

function render() {
  renderQueued = false;
  const dpr = window.devicePixelRatio || 1;
  for (const c of [canvas, overlay]) {
    const w = Math.round(c.clientWidth * dpr), h = Math.round(c.clientHeight * dpr);
    if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
  }
  gl.viewport(0, 0, canvas.width, canvas.height);
  gl.clearColor(0.984, 0.984, 0.992, 1);
  gl.clear(gl.COLOR_BUFFER_BIT);
  if (state.pos) {
    const [ax, ay] = aspect(), r = rotation();
    // WebGL wants column-major matrices: pass the transpose of our row-major one.
    gl.uniformMatrix3fv(where.u_rot, false, [r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]]);
    gl.uniform2f(where.u_scale, state.zoom * ax, state.zoom * ay);
    gl.uniform2f(where.u_offset, state.panX * ax, state.panY * ay);
    gl.uniform1f(where.u_size, pointSize());
    gl.uniform1f(where.u_alpha, state.n > 50000 ? 0.55 : 0.8);
    gl.uniform1f(where.u_depth, state.dim === 3 ? 1 : 0);
    bindAttribute(posBuffer, "a_pos");
    bindAttribute(colorBuffer, "a_color");
    gl.drawArrays(gl.POINTS, 0, state.n);
  }
  drawOverlay();
}

// Screen positions (CSS pixels) of every point, for hover, clicks and labels.
function screenPositions() {
  if (!state.screenDirty && state.screen) return state.screen;
  const n = state.n, pos = state.pos, out = state.screen || new Float32Array(n * 2);
  const [ax, ay] = aspect(), r = rotation();
  const w = canvas.clientWidth, h = canvas.clientHeight;
  const sx = state.zoom * ax, sy = state.zoom * ay, ox = state.panX * ax, oy = state.panY * ay;
  for (let i = 0; i < n; i++) {
    const x = pos[3 * i], y = pos[3 * i + 1], z = pos[3 * i + 2];
    const px = r[0] * x + r[1] * y + r[2] * z, py = r[3] * x + r[4] * y + r[5] * z;
    out[2 * i] = (px * sx + ox + 1) * 0.5 * w;
    out[2 * i + 1] = (1 - (py * sy + oy)) * 0.5 * h;
  }
  state.screen = out;
  state.screenDirty = false;
  return out;
}

function nearestPoint(x, y, radius) {
  if (!state.pos) return -1;
  const s = screenPositions();
  let best = -1, bestD = radius * radius;
  for (let i = 0; i < state.n; i++) {
    const dx = s[2 * i] - x, dy = s[2 * i + 1] - y, d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = i; }
  }
  return best;
}

function drawOverlay() {
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  if (!state.pos) return;
  const s = screenPositions();
  // Most important first: the selected word, its neighbours, then analogy answers. A label
  // that would cover one already drawn tries the other sides of its dot, else stays off.
  const marks = [];
  if (state.selected >= 0) marks.push([state.selected, "#c62828", 6, true]);
  const seen = new Set([state.selected]);
  const add = (row, colour) => { if (!seen.has(row)) { seen.add(row); marks.push([row, colour, 4, false]); } };
  for (const row of state.neighbors) add(row, "#ef6c00");
  for (const row of state.analogy) add(row, "#2e7d32");
  for (const [row, colour, radius] of marks.slice().reverse()) {
    ctx.beginPath();
    ctx.arc(s[2 * row], s[2 * row + 1], radius, 0, 2 * Math.PI);
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#fff";
    ctx.stroke();
  }
  const taken = [];
  const overlaps = (b) => taken.some((t) => b[0] < t[2] && t[0] < b[2] && b[1] < t[3] && t[1] < b[3]);
  for (const [row, , radius, bold] of marks) {
    const x = s[2 * row], y = s[2 * row + 1], text = state.keys[row];
    ctx.font = `${bold ? "bold " : ""}13px system-ui, sans-serif`;
    const w = ctx.measureText(text).width, h = 14, gap = radius + 3;
    const places = [[x + gap, y - gap], [x - gap - w, y - gap], [x + gap, y + gap + h - 4],
      [x - gap - w, y + gap + h - 4], [x - w / 2, y - gap - 2], [x - w / 2, y + gap + h]];
    const spot = places.find(([lx, ly]) => !overlaps([lx, ly - h + 3, lx + w, ly + 3]));
    if (!spot) continue;
    taken.push([spot[0], spot[1] - h + 3, spot[0] + w, spot[1] + 3]);
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255,255,255,0.9)";
    ctx.strokeText(text, spot[0], spot[1]);
    ctx.fillStyle = "#111";
    ctx.fillText(text, spot[0], spot[1]);
  }
}

// ---------------------------------------------------------------- layouts
// Rows outside a sampled t-SNE/UMAP layout come as NaN: they are left out of the mean and
// the extent, and parked far off screen (never drawn, never picked).
const OFF = 1e9;
function normalise(raw, dim) {
  const n = raw.length / dim, pos = new Float32Array(n * 3);
  const mean = [0, 0, 0];
  let placed = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(raw[i * dim])) placed++;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(raw[i * dim])) continue;
    for (let d = 0; d < dim; d++) mean[d] += raw[i * dim + d] / placed;
  }
  let extent = 1e-12;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(raw[i * dim])) continue;
    for (let d = 0; d < dim; d++) {
      const v = raw[i * dim + d] - mean[d];
      pos[i * 3 + d] = v;
      extent = Math.max(extent, Math.abs(v));
    }
  }
  for (let i = 0; i < n; i++) {
    const shown = Number.isFinite(raw[i * dim]);
    for (let d = 0; d < 3; d++) pos[i * 3 + d] = shown ? pos[i * 3 + d] / extent : OFF;
  }
  return pos;
}

function fit() {
  state.zoom = 0.9; state.panX = 0; state.panY = 0;
  state.yaw = state.dim === 3 ? 0.6 : 0; state.pitch = state.dim === 3 ? 0.35 : 0;
  requestRender();
}

function showJob(layout) {
  const running = layout.status === "queued" || layout.status === "running";
  $("job").hidden = !running && layout.status !== "failed";
  $("job-progress").value = layout.progress || 0;
  $("job-text").textContent = layout.status === "failed"
    ? `failed: ${layout.error}` : `${layout.method} ${layout.dim}-D: ${Math.round(100 * (layout.progress || 0))} %`;
}

async function switchLayout(method, dim) {
  const token = ++state.wanted;
  let layout;
  try {
    layout = await api(`/api/layouts/${method}?dim=${dim}`, { method: "POST" });
  } catch (error) {  // 409: another t-SNE/UMAP is being computed (one at a time)
    showJob({ status: "failed", error: error.message });
    return;
  }
  while (layout.status === "queued" || layout.status === "running") {
    showJob(layout);
    await new Promise((resolve) => setTimeout(resolve, 400));
    if (token !== state.wanted) return;  // the user asked for something else meanwhile
    layout = await api(`/api/layouts/${method}?dim=${dim}`);
  }
  showJob(layout);
  if (layout.status !== "done" || token !== state.wanted) return;
  const buffer = await api(`/api/layouts/${method}/coords?dim=${dim}&format=f32`);
  if (token !== state.wanted) return;
  state.raw = new Float32Array(buffer);
  state.method = method;
  state.dim = dim;
  state.pos = normalise(state.raw, dim);
  state.screen = null;
  gl.bindBuffer(gl.ARRAY_BUFFER, posBuffer);
  gl.bufferData(gl.ARRAY_BUFFER, state.pos, gl.STATIC_DRAW);
  fit();
  const names = { pca: "PCA", tsne: "t-SNE", umap: "UMAP" };
  const took = layout.seconds ? ` (${layout.seconds} s)` : "";
  const shown = layout.sampled ? `${layout.points.toLocaleString("en")} of ` : "";
  setStatus(`${shown}${state.n.toLocaleString("en")} points · ${names[method]} ${dim}-D${took}`, true);
}

function setStatus(text, ready) {
  $("status").textContent = text;
  $("status").dataset.ready = ready ? state.method + "-" + state.dim : "";
}

// ---------------------------------------------------------------- colours
function setColours(colours) {
  gl.bindBuffer(gl.ARRAY_BUFFER, colorBuffer);
  gl.bufferData(gl.ARRAY_BUFFER, colours, gl.STATIC_DRAW);
  requestRender();
}

function uniformColours() {
  const out = new Float32Array(state.n * 3);
  for (let i = 0; i < state.n; i++) out.set(BASE.map((c) => c / 255), i * 3);
  return out;
}

function rampColour(t) {  // dark blue -> teal -> yellow, a perceptual-ish ramp
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1), i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  return stops[i].map((c, j) => c + f * (stops[i + 1][j] - c));
}

async function colourBy(column) {
  const legend = $("legend");
  legend.innerHTML = "";
  if (!column) { setColours(uniformColours()); return; }
  const { values } = await api(`/api/metadata/${encodeURIComponent(column)}`);
  const out = new Float32Array(state.n * 3);
  const present = values.filter((v) => v !== null && v !== "");
  const numeric = present.length > 0 && present.every((v) => typeof v === "number");
  const item = (rgb, text) => {
    const li = document.createElement("li");
    const dot = document.createElement("span");
    dot.style.background = `rgb(${rgb.map(Math.round).join(",")})`;
    li.append(dot, document.createTextNode(text));
    legend.append(li);
  };
  if (numeric) {
    let lo = Infinity, hi = -Infinity;
    for (const v of present) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    values.forEach((v, i) => out.set(
      (typeof v === "number" ? rampColour((v - lo) / (hi - lo || 1)) : OTHER).map((c) => c / 255), i * 3));
    item(rampColour(0), `${lo}`);
    item(rampColour(1), `${hi}`);
  } else {
    const counts = new Map();
    for (const v of values) counts.set(v, (counts.get(v) || 0) + 1);
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, PALETTE.length).map((e) => e[0]);
    const colourOf = new Map(top.map((v, i) => [v, PALETTE[i]]));
    values.forEach((v, i) => out.set((colourOf.get(v) || OTHER).map((c) => c / 255), i * 3));
    top.forEach((v) => item(colourOf.get(v), `${v === "" || v === null ? "(empty)" : v} (${counts.get(v)})`));
    if (counts.size > top.length) item(OTHER, "other");
  }
  setColours(out);
}

// ---------------------------------------------------------------- queries
function listResults(element, results, onPick) {
  element.innerHTML = "";
  for (const { key, score } of results) {
    const li = document.createElement("li");
    li.textContent = key;
    const span = document.createElement("span");
    span.className = "score";
    span.textContent = score.toFixed(3);
    li.append(span);
    li.addEventListener("click", () => onPick(key));
    element.append(li);
  }
}

function showSearchError(error) {
  const box = $("search-error");
  box.innerHTML = "";
  box.hidden = false;
  box.append(document.createTextNode(error.message + (error.body && error.body.suggestions && error.body.suggestions.length ? " — did you mean " : "")));
  for (const s of (error.body && error.body.suggestions) || []) {
    const a = document.createElement("a");
    a.href = "#";
    a.textContent = s + " ";
    a.addEventListener("click", (e) => { e.preventDefault(); select(s, true); });
    box.append(a);
  }
}

async function select(key, centre) {
  $("search-error").hidden = true;
  let answer;
  try {
    answer = await api(`/api/neighbors?key=${encodeURIComponent(key)}&k=10`);
  } catch (error) {
    showSearchError(error);
    return;
  }
  const index = rowOf();
  state.selected = index.get(key);
  state.neighbors = answer.neighbors.map((n) => index.get(n.key));
  // An approximate index (faiss, for large tables) may miss a neighbour now and then: say so.
  $("selected").textContent = answer.exact ? key : `${key} (approximate)`;
  $("search").value = key;
  listResults($("neighbors"), answer.neighbors, (k) => select(k, false));
  if (centre && state.pos && state.pos[3 * state.selected] !== OFF) {
    const s = screenPositions(), [ax, ay] = aspect();
    const w = canvas.clientWidth, h = canvas.clientHeight;
    state.panX -= (s[2 * state.selected] / w * 2 - 1) / ax;
    state.panY += (s[2 * state.selected + 1] / h * 2 - 1) / ay;
  }
  requestRender();
}

let keyIndex = null;
function rowOf() {
  if (!keyIndex) keyIndex = new Map(state.keys.map((k, i) => [k, i]));
  return keyIndex;
}

async function runAnalogy() {
  const [a, b, c] = ["an-a", "an-b", "an-c"].map((id) => $(id).value.trim());
  const list = $("analogy-results");
  try {
    const answer = await api(`/api/analogy?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}&c=${encodeURIComponent(c)}&k=5`);
    listResults(list, answer.results, (k) => select(k, true));
    state.analogy = answer.results.map((r) => rowOf().get(r.key));
  } catch (error) {
    list.innerHTML = "";
    const li = document.createElement("li");
    li.className = "error";
    li.textContent = error.message;
    list.append(li);
    state.analogy = [];
  }
  requestRender();
}

// ---------------------------------------------------------------- search with completion
let suggestTimer = 0, activeSuggestion = -1;
function suggestionItems() { return [...$("suggestions").children]; }
function highlightSuggestion(i) {
  const items = suggestionItems();
  activeSuggestion = Math.max(-1, Math.min(i, items.length - 1));
  items.forEach((li, j) => li.classList.toggle("active", j === activeSuggestion));
}
async function suggest() {
  const prefix = $("search").value.trim();
  const box = $("suggestions");
  if (!prefix) { box.hidden = true; return; }
  const { keys } = await api(`/api/complete?prefix=${encodeURIComponent(prefix)}&limit=10`);
  if ($("search").value.trim() !== prefix) return;
  box.innerHTML = "";
  for (const key of keys) {
    const li = document.createElement("li");
    li.textContent = key;
    li.addEventListener("mousedown", (e) => { e.preventDefault(); box.hidden = true; select(key, true); });
    box.append(li);
  }
  activeSuggestion = -1;
  box.hidden = keys.length === 0;
}

$("search").addEventListener("input", () => { clearTimeout(suggestTimer); suggestTimer = setTimeout(suggest, 120); });
$("search").addEventListener("blur", () => { $("suggestions").hidden = true; });
$("search").addEventListener("keydown", (e) => {
  if (e.key === "ArrowDown") { highlightSuggestion(activeSuggestion + 1); e.preventDefault(); }
  else if (e.key === "ArrowUp") { highlightSuggestion(activeSuggestion - 1); e.preventDefault(); }
  else if (e.key === "Enter") {
    const items = suggestionItems();
    const key = activeSuggestion >= 0 && !$("suggestions").hidden ? items[activeSuggestion].textContent : $("search").value.trim();
    clearTimeout(suggestTimer);
    $("suggestions").hidden = true;
    if (key) select(key, true);
  } else if (e.key === "Escape") { $("suggestions").hidden = true; }
});

// ---------------------------------------------------------------- mouse
const stage = $("stage");
let drag = null;
stage.addEventListener("mousedown", (e) => { drag = { x: e.clientX, y: e.clientY, moved: 0, shift: e.shiftKey }; });
window.addEventListener("mouseup", (e) => {
  if (drag && drag.moved < 4 && e.target === canvas) {
    const rect = canvas.getBoundingClientRect();
    const row = nearestPoint(e.clientX - rect.left, e.clientY - rect.top, 10);
    if (row >= 0) select(state.keys[row], false);
  }
  drag = null;
});
window.addEventListener("mousemove", (e) => {
  const rect = canvas.getBoundingClientRect();
  if (drag) {
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    drag.moved += Math.abs(dx) + Math.abs(dy);
    drag.x = e.clientX; drag.y = e.clientY;
    if (state.dim === 3 && !drag.shift) {
      state.yaw += dx * 0.01;
      state.pitch = Math.max(-1.55, Math.min(1.55, state.pitch + dy * 0.01));
    } else {
      const [ax, ay] = aspect();
      state.panX += (2 * dx / rect.width) / ax;
      state.panY -= (2 * dy / rect.height) / ay;
    }
    $("tooltip").hidden = true;
    requestRender();
    return;
  }
  if (e.target !== canvas) { $("tooltip").hidden = true; return; }
  const x = e.clientX - rect.left, y = e.clientY - rect.top;
  const row = nearestPoint(x, y, 8);
  const tip = $("tooltip");
  if (row < 0) { tip.hidden = true; return; }
  tip.textContent = state.keys[row];
  tip.style.left = `${x + 12}px`;
  tip.style.top = `${y - 8}px`;
  tip.hidden = false;
});
stage.addEventListener("wheel", (e) => {
  e.preventDefault();
  const rect = canvas.getBoundingClientRect();
  const [ax, ay] = aspect();
  const cx = ((e.clientX - rect.left) / rect.width) * 2 - 1, cy = 1 - ((e.clientY - rect.top) / rect.height) * 2;
  const factor = Math.exp(-e.deltaY * 0.0015);
  // Keep the point under the cursor where it is.
  const ux = (cx / ax - state.panX) / state.zoom, uy = (cy / ay - state.panY) / state.zoom;
  state.zoom = Math.min(Math.max(state.zoom * factor, 0.05), 5000);
  state.panX = cx / ax - ux * state.zoom;
  state.panY = cy / ay - uy * state.zoom;
  requestRender();
}, { passive: false });
window.addEventListener("resize", requestRender);

// ---------------------------------------------------------------- export
function exportCsv() {
  if (!state.raw) return;
  const dim = state.dim, axes = ["x", "y", "z"].slice(0, dim);
  const lines = ["key," + axes.join(",")];
  for (let i = 0; i < state.n; i++) {
    if (!Number.isFinite(state.raw[i * dim])) continue;  // outside the sample
    let key = state.keys[i];
    if (/[",\n\r]/.test(key)) key = '"' + key.replace(/"/g, '""') + '"';
    const row = [];
    for (let d = 0; d < dim; d++) row.push(+state.raw[i * dim + d].toPrecision(6));
    lines.push(key + "," + row.join(","));
  }
  const blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `${state.method}_${dim}d.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// ---------------------------------------------------------------- start
async function main() {
  if (!gl) { setStatus("this browser has no WebGL", false); return; }
  setupGL();
  const info = await api("/api/info");
  state.keys = await api("/api/keys");
  state.n = state.keys.length;
  for (const column of info.columns) {
    const option = document.createElement("option");
    option.value = option.textContent = column;
    $("color-by").append(option);
  }
  setColours(uniformColours());
  $("method").addEventListener("change", () => switchLayout($("method").value, +$("dim").value));
  $("dim").addEventListener("change", () => switchLayout($("method").value, +$("dim").value));
  $("fit").addEventListener("click", fit);
  $("color-by").addEventListener("change", () => colourBy($("color-by").value));
  $("an-go").addEventListener("click", runAnalogy);
  $("export").addEventListener("click", exportCsv);
  await switchLayout("pca", 2);
}

main().catch((error) => setStatus(`error: ${error.message}`, false));
