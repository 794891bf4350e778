// embedlab explorer: draws every point with WebGL, asks the JSON API for everything else.
// Written for embedlab; no libraries. Coordinates are normalised once per layout so that the
// bulk of the points (1st to 99th percentile) fills [-1, 1]; a 3x3 rotation, a zoom and a pan
// (uniforms) place them on screen.
"use strict";

const $ = (id) => document.getElementById(id);
// Categorical palette: no reds, oranges or purples, which the marks use (selection, neighbours,
// analogy), and no grey, which means "no value".
const PALETTE = [[31, 119, 180], [23, 190, 207], [44, 160, 44], [188, 189, 34], [140, 86, 75],
  [227, 119, 194], [57, 59, 121], [158, 202, 225], [189, 158, 57], [99, 121, 57], [152, 223, 138],
  [107, 174, 214]];
const BASE = [55, 95, 175];
const EMPTY = [190, 190, 190];
const MARK = { selected: "#d50000", neighbour: "#ff6d00", analogy: "#7b1fa2", answer: "#00897b", match: "#d50000" };
const NAMES = { pca: "PCA", tsne: "t-SNE", umap: "UMAP", custom: "Custom" };
const SCORE_NAMES = { cosine: "cos", dot: "dot", euclidean: "dist" };

const state = {
  keys: [], n: 0, info: null, method: "pca", dim: 2,
  raw: null,        // Float32Array n*dim as the server sent it (exported as CSV)
  pos: null,        // Float32Array n*3, normalised
  screen: null, screenDirty: true,
  zoom: 0.9, panX: 0, panY: 0, yaw: 0, pitch: 0,
  selected: -1, neighbors: [], neighborAnswer: null, matches: [], analogy: null, hover: -1,
  base: null,       // Float32Array n*3: the colouring
  empty: null,      // Uint8Array n: 1 where the colouring column has no value (drawn first)
  labels: null,     // the label column's values, or null for the keys
  wanted: 0,        // increases on each compute; late answers are dropped
  job: null,        // {method, dim} of the background layout this page started
  axisNames: ["x", "y", "z"],
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
const query = (params) => Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "")
  .map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");

// ---------------------------------------------------------------- WebGL
const canvas = $("gl");
const overlay = $("overlay");
const ctx = overlay.getContext("2d");
// WebGL 2 when there is one: its blitFramebuffer copies the cached frame (below) several times
// faster than a textured quad does on software GL. The shaders are WebGL 1's, valid in both.
const GL_OPTIONS = { antialias: false, preserveDrawingBuffer: true };
const gl = canvas.getContext("webgl2", GL_OPTIONS) || canvas.getContext("webgl", GL_OPTIONS);
const webgl2 = typeof WebGL2RenderingContext !== "undefined" && gl instanceof WebGL2RenderingContext;

const VERTEX = `
attribute vec3 a_pos; attribute vec4 a_color;
uniform mat3 u_rot; uniform vec2 u_scale; uniform vec2 u_offset; uniform float u_size; uniform float u_depth;
uniform vec2 u_canvas; uniform vec2 u_margin; uniform vec2 u_target;
varying vec4 v_color;
void main() {
  vec3 p = u_rot * a_pos;
  vec2 clip = vec2(p.x * u_scale.x + u_offset.x, p.y * u_scale.y + u_offset.y);
  // The centre in canvas pixels, on a 1/16-pixel grid, then placed in the target (the canvas,
  // or the offscreen image whose margin is whole pixels): a point covers the same pixels in both.
  vec2 pixel = floor((clip + 1.0) * 0.5 * u_canvas * 16.0 + 0.5) / 16.0;
  gl_Position = vec4((pixel + u_margin) / u_target * 2.0 - 1.0, 0.0, 1.0);
  gl_PointSize = a_color.a > 0.0 ? u_size : 0.0;
  v_color = vec4(a_color.rgb * (1.0 - u_depth * 0.35 * (clamp(p.z, -1.0, 1.0) + 1.0) * 0.5), a_color.a);
}`;
const FRAGMENT = `
precision mediump float; varying vec4 v_color; uniform float u_alpha;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  if (dot(d, d) > 0.25) discard;
  gl_FragColor = vec4(v_color.rgb, v_color.a * u_alpha);
}`;

// Sprites: each point drawn as its thumbnail, cut from one atlas texture by its row number.
const SPRITE_VERTEX = `
attribute vec3 a_pos; attribute vec4 a_color; attribute float a_index;
uniform mat3 u_rot; uniform vec2 u_scale; uniform vec2 u_offset; uniform float u_size; uniform float u_perRow;
varying vec4 v_color; varying vec2 v_cell;
void main() {
  vec3 p = u_rot * a_pos;
  gl_Position = vec4(p.x * u_scale.x + u_offset.x, p.y * u_scale.y + u_offset.y, 0.0, 1.0);
  gl_PointSize = a_color.a > 0.0 ? u_size : 0.0;
  v_color = a_color;
  float row = floor((a_index + 0.5) / u_perRow);
  v_cell = vec2(a_index - row * u_perRow, row);
}`;
const SPRITE_FRAGMENT = `
precision mediump float; varying vec4 v_color; varying vec2 v_cell;
uniform sampler2D u_atlas; uniform vec2 u_cellSize; uniform float u_alpha; uniform float u_grey;
void main() {
  vec4 texel = texture2D(u_atlas, (v_cell + gl_PointCoord) * u_cellSize);
  // greyscale: brightness is opacity, tinted by the point's colour; colour images as they are
  gl_FragColor = u_grey > 0.5 ? vec4(v_color.rgb * 0.8, texel.r * v_color.a * u_alpha)
                              : vec4(texel.rgb, v_color.a * u_alpha);
}`;

function compile(type, source) {
  const shader = gl.createShader(type);
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader));
  return shader;
}

let program = null, posBuffer = null, colorBuffer = null, orderBuffer = null, where = {};
let spriteProgram = null, spriteWhere = {}, indexBuffer = null, atlas = null;
function link(vertex, fragment) {
  const linked = gl.createProgram();
  gl.attachShader(linked, compile(gl.VERTEX_SHADER, vertex));
  gl.attachShader(linked, compile(gl.FRAGMENT_SHADER, fragment));
  gl.linkProgram(linked);
  return linked;
}

async function loadSprites(info) {
  const buffer = new Uint8Array(await api("/api/sprites"));
  spriteProgram = link(SPRITE_VERTEX, SPRITE_FRAGMENT);
  for (const name of ["u_rot", "u_scale", "u_offset", "u_size", "u_perRow", "u_atlas", "u_cellSize", "u_alpha", "u_grey"]) {
    spriteWhere[name] = gl.getUniformLocation(spriteProgram, name);
  }
  atlas = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, atlas);
  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
  const format = info.channels === 1 ? gl.LUMINANCE : gl.RGB;
  gl.texImage2D(gl.TEXTURE_2D, 0, format, info.atlas_width, info.atlas_height, 0, format, gl.UNSIGNED_BYTE, buffer);
  for (const [k, v] of [[gl.TEXTURE_MIN_FILTER, gl.LINEAR], [gl.TEXTURE_MAG_FILTER, gl.LINEAR],
    [gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE], [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE]]) gl.texParameteri(gl.TEXTURE_2D, k, v);
  const index = new Float32Array(state.n);
  for (let i = 0; i < state.n; i++) index[i] = i;
  indexBuffer = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, indexBuffer);
  gl.bufferData(gl.ARRAY_BUFFER, index, gl.STATIC_DRAW);
  state.sprites = info;
}

function bindIndex(use) {
  const location = gl.getAttribLocation(spriteProgram, "a_index");
  if (location < 0) return;
  if (!use) { gl.disableVertexAttribArray(location); return; }
  gl.bindBuffer(gl.ARRAY_BUFFER, indexBuffer);
  gl.enableVertexAttribArray(location);
  gl.vertexAttribPointer(location, 1, gl.FLOAT, false, 0, 0);
}

function setupGL() {
  if (!webgl2) gl.getExtension("OES_element_index_uint");  // draw order of up to millions of points (core in WebGL 2)
  program = gl.createProgram();
  gl.attachShader(program, compile(gl.VERTEX_SHADER, VERTEX));
  gl.attachShader(program, compile(gl.FRAGMENT_SHADER, FRAGMENT));
  gl.linkProgram(program);
  gl.useProgram(program);
  for (const name of ["u_rot", "u_scale", "u_offset", "u_size", "u_alpha", "u_depth", "u_canvas", "u_margin", "u_target"]) {
    where[name] = gl.getUniformLocation(program, name);
  }
  posBuffer = gl.createBuffer();
  colorBuffer = gl.createBuffer();
  orderBuffer = gl.createBuffer();
  gl.enable(gl.BLEND);
  // Colour blends; the canvas stays opaque (alpha 1). Blending alpha too left the canvas
  // partly transparent where points pile up, and the page's background showed through:
  // the dense cores came out pale.
  gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ZERO, gl.ONE);
  setupCache();
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

// Opacity from how crowded the canvas is: points x their area over the area the cloud covers
// on screen. A sparse plot stays opaque; 400,000 points get faint dots whose overlaps build up
// the dense cores, instead of one flat wash of colour.
function adaptiveAlpha(drawn) {
  const size = pointSize(), area = canvas.width * canvas.height || 1;
  const cloud = area * Math.min(1, 0.5 * state.zoom * state.zoom);
  const coverage = drawn * size * size * 0.785 / cloud;
  return Math.min(0.85, Math.max(0.04, 0.6 / Math.max(coverage, 1e-9)));
}

// ---------------------------------------------------------------- frames: direct, cached, settling
// Software GL (SwiftShader) spends about 0.75 µs of vertex work per point whatever its size:
// 400,000 points take ~300 ms a frame. So a large table is not redrawn on every frame:
// - at rest, every point is drawn once into an offscreen image (the canvas plus a margin of half
//   its size on each side) and that image is copied to the canvas;
// - while the view pans or zooms, that image is drawn as one transformed quad (a cost that does
//   not depend on the number of points);
// - while a 3-D view rotates, a fixed even subsample of MOTION_POINTS points is drawn;
// - SETTLE_MS after the motion stops, every point is drawn again into the offscreen image, in
//   chunks of CHUNK_POINTS a frame so that the page keeps answering, and the new image replaces
//   the old one when it is complete.
// Tables of at most DIRECT_POINTS points are drawn directly on every frame. The marks (selection,
// neighbours, labels, arrows) live on the 2-D overlay and are redrawn exactly on every frame.
const MOTION_POINTS = 30000, SETTLE_MS = 150;
const tuning = { directPoints: 30000, chunkPoints: 150000, blitFramebuffer: webgl2 };
let lodBuffer = null, lodCount = 0, settleTimer = 0, contentVersion = 1;
const lastFrame = { mode: "", points: 0 };
function moving() {
  state.movingUntil = performance.now() + SETTLE_MS;
  clearTimeout(settleTimer);
  settleTimer = setTimeout(requestRender, SETTLE_MS + 10);
}
function isMoving() { return performance.now() < (state.movingUntil || 0); }
function contentChanged() { contentVersion++; requestRender(); }

let renderQueued = false, frames = 0;
function requestRender() {
  state.screenDirty = true;
  if (!renderQueued) { renderQueued = true; requestAnimationFrame(render); }
}

const BLIT_VERTEX = `
attribute vec2 a_corner;
void main() { gl_Position = vec4(a_corner, 0.0, 1.0); }`;
// Each canvas pixel reads the cached image at (its window position) * u_scale + u_offset, in
// the image's pixels; outside the image is background.
const BLIT_FRAGMENT = `
precision highp float;
uniform sampler2D u_image; uniform vec2 u_scale; uniform vec2 u_offset; uniform vec2 u_size; uniform vec3 u_background;
void main() {
  vec2 at = gl_FragCoord.xy * u_scale + u_offset;
  if (at.x < 0.0 || at.y < 0.0 || at.x > u_size.x || at.y > u_size.y) { gl_FragColor = vec4(u_background, 1.0); return; }
  gl_FragColor = vec4(texture2D(u_image, at / u_size).rgb, 1.0);
}`;
const BACKGROUND = [0.984, 0.984, 0.992];
let blitProgram = null, blitWhere = {}, quadBuffer = null;
// Two offscreen images: `front` is complete and shown; `back` is the one being drawn in chunks.
let front = null, back = null;

function setupCache() {
  blitProgram = link(BLIT_VERTEX, BLIT_FRAGMENT);
  for (const name of ["u_image", "u_scale", "u_offset", "u_size", "u_background"]) blitWhere[name] = gl.getUniformLocation(blitProgram, name);
  quadBuffer = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, quadBuffer);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
}

function makeTarget(width, height) {
  const texture = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
  for (const [k, v] of [[gl.TEXTURE_MIN_FILTER, gl.NEAREST], [gl.TEXTURE_MAG_FILTER, gl.NEAREST],
    [gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE], [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE]]) gl.texParameteri(gl.TEXTURE_2D, k, v);
  const fbo = gl.createFramebuffer();
  gl.bindFramebuffer(gl.FRAMEBUFFER, fbo);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  const ok = gl.checkFramebufferStatus(gl.FRAMEBUFFER) === gl.FRAMEBUFFER_COMPLETE;
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  return ok ? { texture, fbo, width, height, view: null, version: 0, done: 0 } : null;
}

// The margin is half the canvas on each side (whole pixels): panning by up to half a screen or
// zooming out to half size still shows cached points.
function ensureTargets() {
  const mx = Math.floor(canvas.width / 2), my = Math.floor(canvas.height / 2);
  const width = canvas.width + 2 * mx, height = canvas.height + 2 * my;
  if (front && front.width === width && front.height === height) return true;
  for (const t of [front, back]) if (t) { gl.deleteTexture(t.texture); gl.deleteFramebuffer(t.fbo); }
  front = makeTarget(width, height);
  back = makeTarget(width, height);
  if (!front || !back) { front = back = null; return false; }
  front.mx = back.mx = mx; front.my = back.my = my;
  return true;
}

function currentView() {
  return { zoom: state.zoom, panX: state.panX, panY: state.panY, yaw: state.yaw, pitch: state.pitch, dim: state.dim,
    width: canvas.width, height: canvas.height };
}
function sameView(a, b) { return !!a && Object.keys(b).every((k) => a[k] === b[k]); }
function sameRotation(a, b) { return !!a && a.dim === b.dim && a.yaw === b.yaw && a.pitch === b.pitch && a.width === b.width && a.height === b.height; }

// Draws the points rows [first, first + count) of the draw order (or of the motion subsample) on
// whatever framebuffer is bound: the canvas, or an offscreen image of `target` pixels in which
// the canvas sits `margin` pixels from the lower left corner.
function drawPoints(first, count, { subsample = false, margin = [0, 0], target = [canvas.width, canvas.height] } = {}) {
  const [ax, ay] = aspect(), r = rotation();
  const sprites = spriteProgram && $("sprites").checked;
  const use = sprites ? spriteProgram : program, at = sprites ? spriteWhere : where;
  gl.useProgram(use);
  // WebGL wants column-major matrices: pass the transpose of our row-major one.
  gl.uniformMatrix3fv(at.u_rot, false, [r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]]);
  gl.uniform2f(at.u_scale, state.zoom * ax, state.zoom * ay);
  gl.uniform2f(at.u_offset, state.panX * ax, state.panY * ay);
  if (sprites) {
    const info = state.sprites, dpr = window.devicePixelRatio || 1;
    // thumbnails grow with the zoom, from 12 to 96 pixels
    gl.uniform1f(at.u_size, Math.min(96, Math.max(12, info.width * state.zoom)) * dpr);
    gl.uniform1f(at.u_perRow, info.per_row);
    gl.uniform2f(at.u_cellSize, info.width / info.atlas_width, info.height / info.atlas_height);
    gl.uniform1f(at.u_alpha, 1);
    gl.uniform1f(at.u_grey, info.channels === 1 ? 1 : 0);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, atlas);
    gl.uniform1i(at.u_atlas, 0);
  } else {
    gl.uniform1f(at.u_size, pointSize());
    gl.uniform1f(at.u_alpha, adaptiveAlpha(subsample ? lodCount : state.n));
    gl.uniform1f(at.u_depth, state.dim === 3 ? 1 : 0);
    gl.uniform2f(at.u_canvas, canvas.width, canvas.height);
    gl.uniform2f(at.u_margin, margin[0], margin[1]);
    gl.uniform2f(at.u_target, target[0], target[1]);
  }
  if (spriteProgram) bindIndex(sprites);
  const attribute = (buffer, name, size) => {
    const location = gl.getAttribLocation(use, name);
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.enableVertexAttribArray(location);
    gl.vertexAttribPointer(location, size, gl.FLOAT, false, 0, 0);
  };
  attribute(posBuffer, "a_pos", 3);
  attribute(colorBuffer, "a_color", 4);
  gl.enable(gl.BLEND);
  gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, subsample ? lodBuffer : orderBuffer);
  gl.drawElements(gl.POINTS, count, gl.UNSIGNED_INT, 4 * first);
}

function clearTo(width, height) {
  gl.viewport(0, 0, width, height);
  gl.clearColor(BACKGROUND[0], BACKGROUND[1], BACKGROUND[2], 1);
  gl.clear(gl.COLOR_BUFFER_BIT);
}

// Every point, straight onto the canvas: what small tables do on every frame, and the reference
// the cached frames are tested against.
function drawEveryPoint() {
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  clearTo(canvas.width, canvas.height);
  if (state.pos) drawPoints(0, state.n);
}

// Draws the next chunk of every point into `back` for the current view; true once complete.
function refine(view) {
  if (!sameView(back.view, view) || back.version !== contentVersion) {
    back.view = view; back.version = contentVersion; back.done = 0;
    gl.bindFramebuffer(gl.FRAMEBUFFER, back.fbo);
    clearTo(back.width, back.height);
  }
  gl.bindFramebuffer(gl.FRAMEBUFFER, back.fbo);
  gl.viewport(0, 0, back.width, back.height);
  const count = Math.min(tuning.chunkPoints, state.n - back.done);
  drawPoints(back.done, count, { margin: [back.mx, back.my], target: [back.width, back.height] });
  back.done += count;
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  if (back.done < state.n) return false;
  [front, back] = [back, front];
  return true;
}

// The cached image onto the canvas, moved from the view it was drawn for to `view`: for a pan
// and a zoom, canvas pixel f shows image pixel f / s + b (s: zoom ratio); at rest s = 1, b = the
// margin, and the copy is exact. Nearest pixel, not linear: linear filtering costs software GL
// two to three times as much, and the motion frames are replaced by full detail anyway.
function blit(view) {
  const was = front.view, s = view.zoom / was.zoom;
  const [ax, ay] = aspect();
  const dx = (view.panX - was.panX * s) * ax, dy = (view.panY - was.panY * s) * ay;
  const w = canvas.width, h = canvas.height;
  const bx = ((-1 - dx) / s + 1) * w / 2 + front.mx, by = ((-1 - dy) / s + 1) * h / 2 + front.my;
  if (tuning.blitFramebuffer) {  // the whole image, placed by its corners: image pixel p lands on (p - b) * s
    // only the part of the image that lands on the canvas: software GL copies what it is given
    const x0 = Math.max(0, Math.round(-bx * s)), x1 = Math.min(w, Math.round((front.width - bx) * s));
    const y0 = Math.max(0, Math.round(-by * s)), y1 = Math.min(h, Math.round((front.height - by) * s));
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    if (x0 > 0 || y0 > 0 || x1 < w || y1 < h) clearTo(w, h);  // background where the image ends
    else gl.viewport(0, 0, w, h);
    if (x1 > x0 && y1 > y0) {
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, front.fbo);
      gl.blitFramebuffer(Math.round(x0 / s + bx), Math.round(y0 / s + by), Math.round(x1 / s + bx), Math.round(y1 / s + by),
        x0, y0, x1, y1, gl.COLOR_BUFFER_BIT, gl.NEAREST);
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
    }
    return;
  }
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  gl.viewport(0, 0, w, h);
  gl.disable(gl.BLEND);
  gl.useProgram(blitProgram);
  gl.activeTexture(gl.TEXTURE0);
  gl.bindTexture(gl.TEXTURE_2D, front.texture);
  gl.uniform1i(blitWhere.u_image, 0);
  gl.uniform2f(blitWhere.u_scale, 1 / s, 1 / s);
  gl.uniform2f(blitWhere.u_offset, bx, by);
  gl.uniform2f(blitWhere.u_size, front.width, front.height);
  gl.uniform3f(blitWhere.u_background, BACKGROUND[0], BACKGROUND[1], BACKGROUND[2]);
  const location = gl.getAttribLocation(blitProgram, "a_corner");
  for (let i = 0; i < 8; i++) if (i !== location) gl.disableVertexAttribArray(i);
  gl.bindBuffer(gl.ARRAY_BUFFER, quadBuffer);
  gl.enableVertexAttribArray(location);
  gl.vertexAttribPointer(location, 2, gl.FLOAT, false, 0, 0);
  gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
  for (let i = 0; i < 8; i++) gl.disableVertexAttribArray(i);
  gl.enable(gl.BLEND);
}

// True when the canvas shows every point for the current view (tests and the benchmark wait on it).
function settled() {
  return lastFrame.mode === "direct" || lastFrame.mode === "full";
}

function drawFrame() {
  if (!state.pos) {
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    clearTo(canvas.width, canvas.height);
    lastFrame.mode = "";
    return;
  }
  const sprites = spriteProgram && $("sprites").checked;
  if (sprites || state.n <= tuning.directPoints || !ensureTargets()) {
    drawEveryPoint();
    Object.assign(lastFrame, { mode: "direct", points: state.n });
    return;
  }
  const view = currentView();
  if (front.version !== contentVersion) {
    // new positions or colours: the old image is wrong, not just misplaced; draw it all now
    while (!refine(view));
  }
  if (sameView(front.view, view)) {
    blit(view);
    Object.assign(lastFrame, { mode: "full", points: state.n });
    return;
  }
  if (!isMoving() && refine(view)) {  // settling: one more chunk of every point
    blit(view);
    Object.assign(lastFrame, { mode: "full", points: state.n });
    return;
  }
  if (sameRotation(front.view, view)) {
    blit(view);
    Object.assign(lastFrame, { mode: "cached", points: 0 });
  } else {  // rotating: the image cannot be reused; an even subsample keeps the motion fluid
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    clearTo(canvas.width, canvas.height);
    drawPoints(0, lodCount || state.n, { subsample: lodCount > 0 });
    Object.assign(lastFrame, { mode: "subsample", points: lodCount || state.n });
  }
  if (!isMoving()) requestRender();  // the next chunk on the next frame
}

function render() {
  renderQueued = false;
  frames++;
  const dpr = window.devicePixelRatio || 1;
  for (const c of [canvas, overlay]) {
    const w = Math.round(c.clientWidth * dpr), h = Math.round(c.clientHeight * dpr);
    if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
  }
  drawFrame();
  drawOverlay();
  scheduleHash();
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

function toScreen(x, y, z) {
  const [ax, ay] = aspect(), r = rotation();
  const w = canvas.clientWidth, h = canvas.clientHeight;
  const px = r[0] * x + r[1] * y + r[2] * z, py = r[3] * x + r[4] * y + r[5] * z;
  return [(px * state.zoom * ax + state.panX * ax + 1) * 0.5 * w, (1 - (py * state.zoom * ay + state.panY * ay)) * 0.5 * h];
}

function nearestPoint(x, y, radius) {
  if (!state.pos) return -1;
  const s = screenPositions(), hidden = isolatedOut();
  let best = -1, bestD = radius * radius;
  for (let i = 0; i < state.n; i++) {
    if (hidden && !hidden.has(i)) continue;
    const dx = s[2 * i] - x, dy = s[2 * i + 1] - y, d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = i; }
  }
  return best;
}

function labelOf(row) {
  if (!state.labels) return state.keys[row];
  const v = state.labels[row];
  return v === null || v === "" ? state.keys[row] : String(v);
}

function placed(row) { return state.pos && row >= 0 && state.pos[3 * row] !== OFF; }

function drawOverlay() {
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  if (!state.pos) return;
  if (state.dim === 3) drawAxes();
  const anything = state.selected >= 0 || state.matches.length || state.neighbors.length || state.analogy;
  if (!anything) return;  // no marks: spare the per-point projection (hover computes it when needed)
  const s = screenPositions();
  // Search matches: small rings (a few thousand at most), labelled when few.
  const matches = state.matches.length <= 5000 ? state.matches : [];
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = MARK.match;
  for (const row of matches) {
    if (!placed(row)) continue;
    ctx.beginPath();
    ctx.arc(s[2 * row], s[2 * row + 1], 4, 0, 2 * Math.PI);
    ctx.stroke();
  }
  if (state.analogy) drawArrows(s);
  // Most important first: the selected word, its neighbours, the analogy, then matches.
  const marks = [];
  const seen = new Set();
  const add = (row, colour, radius, bold, badge) => {
    if (row === undefined || row < 0 || seen.has(row) || !placed(row)) return;
    seen.add(row);
    marks.push({ row, colour, radius, bold, badge });
  };
  add(state.selected, MARK.selected, 6, true);
  if (state.analogy) {  // before the neighbours, so that a, b, c keep their badges
    const { a, b, c, results } = state.analogy;
    add(a, MARK.analogy, 6, true, "a");
    add(b, MARK.analogy, 6, true, "b");
    add(c, MARK.analogy, 6, true, "c");
    add(results[0], MARK.answer, 6, true, "=");
  }
  for (const row of state.neighbors) add(row, MARK.neighbour, 4, false);
  if (state.analogy) for (const row of state.analogy.results.slice(1)) add(row, MARK.answer, 4, false);
  if (state.matches.length <= 50) for (const row of state.matches) add(row, MARK.match, 4, false);
  for (const m of marks.slice().reverse()) {
    const x = s[2 * m.row], y = s[2 * m.row + 1];
    ctx.beginPath();
    ctx.arc(x, y, m.radius, 0, 2 * Math.PI);
    ctx.fillStyle = m.colour;
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#fff";
    ctx.stroke();
  }
  drawLabels(s, marks);
}

// Labels longer than this are cut with an ellipsis on the canvas (document titles run to a
// hundred characters); the selected point keeps its whole label, the panel lists the rest.
const LABEL_CHARS = 40;

function shortLabel(text) {
  return text.length > LABEL_CHARS ? text.slice(0, LABEL_CHARS - 1).trimEnd() + "\u2026" : text;
}

// Every marked point gets its label beside its dot when there is room, else farther out on a
// leader line, trying eight directions at growing distances. Where no place is free, the
// selected point and the analogy's points (bold) still get theirs; a neighbour's or a match's
// is left out rather than printed over another label (hovering its dot names it).
function drawLabels(s, marks) {
  const taken = marks.map((m) => [s[2 * m.row] - m.radius, s[2 * m.row + 1] - m.radius, s[2 * m.row] + m.radius, s[2 * m.row + 1] + m.radius]);
  const overlaps = (b) => taken.some((t) => b[0] < t[2] && t[0] < b[2] && b[1] < t[3] && t[1] < b[3]);
  const width = canvas.clientWidth, height = canvas.clientHeight;
  for (const m of marks) {
    const x = s[2 * m.row], y = s[2 * m.row + 1];
    const label = m.row === state.selected ? labelOf(m.row) : shortLabel(labelOf(m.row));
    const text = (m.badge ? `${m.badge}: ` : "") + label;
    ctx.font = `${m.bold ? "bold " : ""}13px system-ui, sans-serif`;
    const w = ctx.measureText(text).width, h = 14, gap = m.radius + 3;
    const places = [[x + gap, y - gap, false], [x - gap - w, y - gap, false], [x + gap, y + gap + h - 4, false],
      [x - gap - w, y + gap + h - 4, false], [x - w / 2, y - gap - 2, false], [x - w / 2, y + gap + h, false]];
    for (const r of [28, 48, 72, 100]) {
      for (let k = 0; k < 8; k++) {
        const angle = (k / 8) * 2 * Math.PI - Math.PI / 4;
        const lx = x + r * Math.cos(angle), ly = y + r * Math.sin(angle);
        places.push([Math.cos(angle) < -0.3 ? lx - w : Math.cos(angle) > 0.3 ? lx : lx - w / 2, ly + 4, true]);
      }
    }
    const box = ([lx, ly]) => [lx - 2, ly - h + 2, lx + w + 2, ly + 4];
    const inside = ([lx, ly]) => lx >= 0 && lx + w <= width && ly - h >= 0 && ly <= height;
    const free = places.find((p) => inside(p) && !overlaps(box(p)));
    if (!free && !m.bold) continue;
    const spot = free || places[0];
    taken.push(box(spot));
    if (spot[2]) {  // a leader line from the dot to the label
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(Math.min(Math.max(x, spot[0]), spot[0] + w), spot[1] - 4);
      ctx.lineWidth = 1;
      ctx.strokeStyle = m.colour;
      ctx.stroke();
    }
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255,255,255,0.9)";
    ctx.strokeText(text, spot[0], spot[1]);
    ctx.fillStyle = m.colour === MARK.neighbour ? "#8a3a00" : m.colour === MARK.selected ? "#111" : m.colour;
    ctx.fillText(text, spot[0], spot[1]);
  }
}

function arrow(from, to, colour) {
  const [x0, y0] = from, [x1, y1] = to;
  const angle = Math.atan2(y1 - y0, x1 - x0), length = Math.hypot(x1 - x0, y1 - y0);
  if (length < 12) return;
  const ex = x1 - 8 * Math.cos(angle), ey = y1 - 8 * Math.sin(angle);  // stop at the dot's rim
  ctx.beginPath();
  ctx.moveTo(x0 + 7 * Math.cos(angle), y0 + 7 * Math.sin(angle));
  ctx.lineTo(ex, ey);
  ctx.lineWidth = 2;
  ctx.strokeStyle = colour;
  ctx.setLineDash([6, 3]);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(ex, ey);
  ctx.lineTo(ex - 9 * Math.cos(angle - 0.4), ey - 9 * Math.sin(angle - 0.4));
  ctx.lineTo(ex - 9 * Math.cos(angle + 0.4), ey - 9 * Math.sin(angle + 0.4));
  ctx.closePath();
  ctx.fillStyle = colour;
  ctx.fill();
}

// a - b + c = d: the arrow b -> a is the relation, drawn again from c to the answer.
function drawArrows(s) {
  const { a, b, c, results } = state.analogy, d = results[0];
  const at = (row) => [s[2 * row], s[2 * row + 1]];
  if (placed(a) && placed(b)) arrow(at(b), at(a), MARK.analogy);
  if (placed(c) && placed(d)) arrow(at(c), at(d), MARK.answer);
}

function drawAxes() {
  const origin = toScreen(0, 0, 0);
  ["x", "y", "z"].forEach((axis, d) => {
    const tip = toScreen(d === 0 ? 1 : 0, d === 1 ? 1 : 0, d === 2 ? 1 : 0);
    ctx.beginPath();
    ctx.moveTo(origin[0], origin[1]);
    ctx.lineTo(tip[0], tip[1]);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = ["#b71c1c", "#1b5e20", "#0d47a1"][d];
    ctx.stroke();
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fillText(state.axisNames[d] || axis, tip[0] + 4, tip[1] - 4);
  });
}

// ---------------------------------------------------------------- layouts
// Rows outside a sampled t-SNE/UMAP layout come as NaN: they are parked far off screen (never
// drawn, never picked). The view frames the bulk: the 1st to 99th percentile of each axis maps
// to [-1, 1] (one stray point no longer squeezes the cloud into a corner); outliers fall outside.
const OFF = 1e9;
function percentiles(raw, dim, d) {
  const n = raw.length / dim, step = Math.max(1, Math.floor(n / 20000)), values = [];
  for (let i = 0; i < n; i += step) { const v = raw[i * dim + d]; if (Number.isFinite(v)) values.push(v); }
  values.sort((p, q) => p - q);
  if (!values.length) return [0, 1];
  const at = (q) => values[Math.min(values.length - 1, Math.max(0, Math.round(q * (values.length - 1))))];
  return [at(0.01), at(0.99)];
}

function normalise(raw, dim) {
  const n = raw.length / dim, pos = new Float32Array(n * 3);
  const centre = [0, 0, 0];
  let extent = 1e-12;
  for (let d = 0; d < dim; d++) {
    const [lo, hi] = percentiles(raw, dim, d);
    centre[d] = (lo + hi) / 2;
    extent = Math.max(extent, (hi - lo) / 2);
  }
  for (let i = 0; i < n; i++) {
    const shown = Number.isFinite(raw[i * dim]);
    for (let d = 0; d < 3; d++) pos[i * 3 + d] = !shown ? OFF : d < dim ? (raw[i * dim + d] - centre[d]) / extent : 0;
  }
  return pos;
}

function fit() {
  state.zoom = 0.9; state.panX = 0; state.panY = 0;
  state.yaw = state.dim === 3 ? 0.6 : 0; state.pitch = state.dim === 3 ? 0.35 : 0;
  requestRender();
}

function formatSeconds(s) {
  if (s === null || s === undefined) return "";
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function showJob(layout) {
  const busy = ["queued", "running", "cancelling"].includes(layout.status);
  $("job").hidden = !busy;
  $("cancel").hidden = !busy;
  $("job-progress").value = layout.progress || 0;
  let text = `${NAMES[layout.method]} ${layout.dim}-D: ${layout.status}`;
  if (layout.status === "running" && layout.phase) {
    text = `${NAMES[layout.method]} ${layout.dim}-D: ${layout.phase}`;
    if (layout.iteration) text += `, iteration ${layout.iteration} / ${layout.iterations}`;
    if (layout.eta_seconds !== null && layout.eta_seconds !== undefined) text += ` · about ${formatSeconds(layout.eta_seconds)} left`;
  }
  $("job-text").textContent = text;
  if (layout.status === "failed") showProjectionError(`failed: ${layout.error}`);
  if (layout.status === "cancelled") showProjectionError(`${NAMES[layout.method]} ${layout.dim}-D cancelled`);
}

function showProjectionError(text) {
  $("projection-error").textContent = text;
  $("projection-error").hidden = !text;
}

function layoutParams(method) {
  if (method === "tsne") return { perplexity: $("perplexity").value, learning_rate: $("learning-rate").value, iterations: $("iterations").value };
  if (method === "umap") return { neighbors: $("umap-neighbors").value, min_dist: $("min-dist").value };
  return {};
}

function sampleChoice() {
  const chosen = document.querySelector("input[name=sample]:checked").value;
  if (chosen === "all") return { sample: false };
  if (chosen === "stratified" && $("stratify").value) return { stratify: $("stratify").value };
  return {};
}

async function compute() {
  const method = $("method").value, dim = method === "custom" ? 2 : +$("dim").value;
  if (method === "custom") $("dim").value = "2";
  const token = ++state.wanted;
  showProjectionError("");
  let raw;
  try {
    if (method === "pca") {
      const components = [$("pc-x").value, $("pc-y").value].concat(dim === 3 ? [$("pc-z").value] : []);
      raw = new Float32Array(await api(`/api/pca/coords?components=${components.join(",")}`));
      state.axisNames = components.map((c) => `PC${c}`);
      await applyLayout(token, raw, method, dim, { seconds: null });
    } else if (method === "custom") {
      const axes = { x_from: $("cx-from").value, x_to: $("cx-to").value, y_from: $("cy-from").value, y_to: $("cy-to").value };
      raw = new Float32Array(await api(`/api/custom?${query(axes)}`));
      state.axisNames = [`${axes.x_from} → ${axes.x_to}`, `${axes.y_from} → ${axes.y_to}`];
      await applyLayout(token, raw, method, dim, { seconds: null });
    } else {
      state.axisNames = ["x", "y", "z"];
      await runJob(token, method, dim);
    }
  } catch (error) {
    if (error.status === 409 && error.body && error.body.running) {
      state.job = error.body.running;
      showJob(error.body.running);
    }
    showProjectionError(error.message + (error.body && error.body.suggestions && error.body.suggestions.length
      ? ` (did you mean ${error.body.suggestions.slice(0, 3).join(", ")}?)` : ""));
  }
}

async function runJob(token, method, dim) {
  const params = { dim, ...layoutParams(method), ...sampleChoice() };
  let layout = await api(`/api/layouts/${method}?${query(params)}`, { method: "POST" });
  state.job = { method, dim };
  while (["queued", "running", "cancelling"].includes(layout.status)) {
    showJob(layout);
    await new Promise((resolve) => setTimeout(resolve, 400));
    layout = await api(`/api/layouts/${method}?dim=${dim}`);
  }
  showJob(layout);
  state.job = null;
  if (layout.status !== "done" || token !== state.wanted) return;
  const raw = new Float32Array(await api(`/api/layouts/${method}/coords?dim=${dim}&format=f32`));
  await applyLayout(token, raw, method, dim, layout);
}

async function cancelJob() {
  if (!state.job) return;
  const { method, dim } = state.job;
  showJob(await api(`/api/layouts/${method}?dim=${dim}`, { method: "DELETE" }));
}

async function applyLayout(token, raw, method, dim, layout) {
  if (token !== state.wanted) return;
  state.raw = raw;
  state.method = method;
  state.dim = dim;
  state.pos = normalise(raw, dim);
  state.screen = null;
  gl.bindBuffer(gl.ARRAY_BUFFER, posBuffer);
  gl.bufferData(gl.ARRAY_BUFFER, state.pos, gl.STATIC_DRAW);
  contentVersion++;
  if (!$("color-by").value && state.n >= DENSITY_POINTS) { state.base = uniformColours(); uploadColours(); }
  fit();
  const took = layout.seconds ? ` (${layout.seconds} s)` : "";
  const shown = layout.sampled ? `${layout.points.toLocaleString("en")} of ` : "";
  setStatus(`${shown}${state.n.toLocaleString("en")} points · ${NAMES[method]} ${dim}-D${took}`, true);
}

function setStatus(text, ready) {
  $("status").textContent = text;
  $("status").dataset.ready = ready ? state.method + "-" + state.dim : "";
}

// The parameters of the method chosen, and for t-SNE/UMAP above their point limit the choice
// of a random or stratified sample or every point, each with its time estimate.
async function showMethod() {
  const method = $("method").value;
  for (const m of ["pca", "tsne", "umap", "custom"]) $(`params-${m}`).hidden = m !== method;
  $("panel").classList.toggle("hidden3", $("dim").value !== "3");
  $("limit").hidden = true;
  $("estimate").hidden = true;
  if (method !== "tsne" && method !== "umap") return;
  const plan = await api(`/api/layouts/${method}/plan?${query(layoutParams(method))}`);
  if ($("method").value !== method) return;
  if (plan.over_limit) {
    $("limit-text").textContent = `${plan.total.toLocaleString("en")} points is above ${NAMES[method]}'s limit of ` +
      `${plan.limit.toLocaleString("en")} (as in TensorBoard's projector). Compute on:`;
    $("sample-random").textContent = `a random sample of ${plan.limit.toLocaleString("en")} (about ${formatSeconds(plan.seconds_sample)})`;
    $("sample-all").textContent = `every point (about ${formatSeconds(plan.seconds_all)})`;
    $("limit").hidden = false;
  } else {
    $("estimate").textContent = `about ${formatSeconds(plan.seconds_all)} on this server`;
    $("estimate").hidden = false;
  }
}

async function loadPcaVariance() {
  const { explained } = await api("/api/pca");
  $("pca-variance").textContent = "variance explained: " + explained.slice(0, 3)
    .map((v, i) => `PC${i + 1} ${(100 * v).toFixed(1)} %`).join(", ");
  ["pc-x", "pc-y", "pc-z"].forEach((id, axis) => {
    const select = $(id);
    select.innerHTML = "";
    explained.forEach((v, i) => {
      const option = document.createElement("option");
      option.value = String(i + 1);
      option.textContent = `PC${i + 1} (${(100 * v).toFixed(1)} %)`;
      select.append(option);
    });
    select.value = String(Math.min(axis + 1, explained.length));
  });
}

// ---------------------------------------------------------------- colours
// The colour buffer (rgba) is the colouring with the emphasis applied: "isolate selection"
// hides every point but the selection and its neighbours, "dim the rest" fades the others.
function emphasised() {
  const rows = new Set(state.matches);
  if (state.selected >= 0) rows.add(state.selected);
  for (const r of state.neighbors) rows.add(r);
  if (state.analogy) for (const r of [state.analogy.a, state.analogy.b, state.analogy.c, ...state.analogy.results]) rows.add(r);
  return rows;
}

function isolatedOut() {
  if (!$("isolate").checked) return null;
  const rows = emphasised();
  return rows.size ? rows : null;
}

function sameValues(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
let lastUpload = null;  // the colours in the GPU's buffer, and what they were made from
function uploadColours() {
  const n = state.n, out = new Float32Array(n * 4), base = state.base;
  const rows = emphasised();
  const mode = rows.size === 0 ? "" : $("isolate").checked ? "isolate" : $("dim-rest").checked ? "dim" : "";
  for (let i = 0; i < n; i++) {
    out[4 * i] = base[3 * i]; out[4 * i + 1] = base[3 * i + 1]; out[4 * i + 2] = base[3 * i + 2];
    out[4 * i + 3] = mode === "" || rows.has(i) ? 1 : mode === "dim" ? 0.25 : 0;
  }
  // A selection without isolate/dim changes only the overlay: keep the drawn points (redrawing
  // a million of them costs about a second on software GL).
  const last = lastUpload;
  if (last && last.base === base && last.empty === state.empty && sameValues(last.colours, out)) {
    requestRender();
    return;
  }
  lastUpload = { colours: out, base, empty: state.empty };
  gl.bindBuffer(gl.ARRAY_BUFFER, colorBuffer);
  gl.bufferData(gl.ARRAY_BUFFER, out, gl.STATIC_DRAW);
  // Draw order: points without a value first (underneath), so sparse labels stay visible.
  const order = new Uint32Array(n);
  let k = 0;
  if (state.empty) { for (let i = 0; i < n; i++) if (state.empty[i]) order[k++] = i; }
  for (let i = 0; i < n; i++) if (!state.empty || !state.empty[i]) order[k++] = i;
  gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, orderBuffer);
  gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, order, gl.STATIC_DRAW);
  if (n > MOTION_POINTS) {  // every step-th of the draw order: the same mix, empties first
    const step = Math.ceil(n / MOTION_POINTS), lod = new Uint32Array(Math.ceil(n / step));
    for (let j = 0; j < lod.length; j++) lod[j] = order[j * step];
    lodBuffer = lodBuffer || gl.createBuffer();
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, lodBuffer);
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, lod, gl.STATIC_DRAW);
    lodCount = lod.length;
  } else {
    lodCount = 0;
  }
  contentChanged();
}

// Without a colouring, a large table is coloured by how crowded each point's neighbourhood is
// in the layout: a uniform blue piles up into flat, saturated blobs where tens of points share a
// pixel, and the inner structure of the dense cores is lost. Each point's cell (a 128 x 128
// grid over the layout, 32^3 in 3-D) is ranked by its count among all points (histogram
// equalisation), and the rank picks a colour from pale blue (sparse) through deep blue and
// teal to yellow (the densest tenth): the cores keep a gradient instead of saturating.
const DENSITY_POINTS = 50000;
const DENSITY_RAMP = [[165, 195, 235], [90, 135, 210], [40, 75, 165], [25, 110, 150], [70, 170, 110], [225, 210, 50]];
function densityColour(t) {
  const x = Math.min(Math.max(t, 0), 1) * (DENSITY_RAMP.length - 1), i = Math.min(Math.floor(x), DENSITY_RAMP.length - 2);
  return DENSITY_RAMP[i].map((c, j) => Math.round(c + (x - i) * (DENSITY_RAMP[i + 1][j] - c)));
}

function densityRanks() {
  const n = state.n, pos = state.pos, cells = state.dim === 3 ? 32 : 128, dims = state.dim === 3 ? 3 : 2;
  const cell = new Int32Array(n), counts = new Uint32Array(cells ** dims);
  for (let i = 0; i < n; i++) {
    let index = 0;
    for (let d = 0; d < dims; d++) {
      // the bulk lies in [-1, 1]; outliers share the border cells
      const c = Math.min(cells - 1, Math.max(0, Math.floor((pos[3 * i + d] + 1.2) / 2.4 * cells)));
      index = index * cells + c;
    }
    cell[i] = pos[3 * i] === OFF ? -1 : index;
    if (cell[i] >= 0) counts[index]++;
  }
  // rank of a cell = share of the points that lie in emptier cells
  const used = [];
  for (let b = 0; b < counts.length; b++) if (counts[b]) used.push(b);
  used.sort((a, b) => counts[a] - counts[b]);
  const rank = new Float32Array(counts.length);
  let below = 0, total = 0;
  for (const b of used) total += counts[b];
  for (let k = 0; k < used.length;) {
    let j = k, same = 0;
    while (j < used.length && counts[used[j]] === counts[used[k]]) same += counts[used[j++]];
    for (let m = k; m < j; m++) rank[used[m]] = (below + same / 2) / (total || 1);
    below += same;
    k = j;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = cell[i] >= 0 ? rank[cell[i]] : 0;
  if (dims === 2) {  // between cell centres, bilinearly: no visible cell edges in the dense cores
    const at = (cx, cy) => rank[Math.min(cells - 1, Math.max(0, cx)) * cells + Math.min(cells - 1, Math.max(0, cy))];
    for (let i = 0; i < n; i++) {
      if (cell[i] < 0) continue;
      const u = (pos[3 * i] + 1.2) / 2.4 * cells - 0.5, v = (pos[3 * i + 1] + 1.2) / 2.4 * cells - 0.5;
      const cx = Math.floor(u), cy = Math.floor(v), fx = Math.min(1, Math.max(0, u - cx)), fy = Math.min(1, Math.max(0, v - cy));
      out[i] = (at(cx, cy) * (1 - fx) + at(cx + 1, cy) * fx) * (1 - fy) + (at(cx, cy + 1) * (1 - fx) + at(cx + 1, cy + 1) * fx) * fy;
    }
  }
  return out;
}

function uniformColours() {
  const out = new Float32Array(state.n * 3);
  const byDensity = state.pos && state.n >= DENSITY_POINTS;
  const ranks = byDensity ? densityRanks() : null;
  const palette = byDensity ? Array.from({ length: 256 }, (_, k) => densityColour(k / 255).map((c) => c / 255)) : null;
  for (let i = 0; i < state.n; i++) out.set(byDensity ? palette[Math.round(ranks[i] * 255)] : BASE.map((c) => c / 255), i * 3);
  if (byDensity) {
    const legend = $("legend");
    legend.innerHTML = "";
    [[0, "sparse"], [0.5, "middle"], [1, "dense (ranked by points per area)"]].forEach(([t, text]) => {
      const li = document.createElement("li");
      const dot = document.createElement("span");
      dot.style.background = `rgb(${densityColour(t).join(",")})`;
      li.append(dot, document.createTextNode(text));
      legend.append(li);
    });
  }
  return out;
}

function rampColour(t) {  // dark blue -> teal -> yellow, a perceptual-ish (viridis-like) ramp
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1), i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  return stops[i].map((c, j) => Math.round(c + f * (stops[i + 1][j] - c)));
}

async function colourBy(column) {
  const legend = $("legend");
  legend.innerHTML = "";
  if (!column) { state.base = uniformColours(); state.empty = null; uploadColours(); return; }
  const { values } = await api(`/api/metadata/${encodeURIComponent(column)}`);
  const out = new Float32Array(state.n * 3), empty = new Uint8Array(state.n);
  const isEmpty = (v) => v === null || v === "";
  const present = values.filter((v) => !isEmpty(v));
  const numeric = present.length > 0 && present.every((v) => typeof v === "number" || (v !== "" && Number.isFinite(+v)));
  const item = (rgb, text) => {
    const li = document.createElement("li");
    const dot = document.createElement("span");
    dot.style.background = `rgb(${rgb.join(",")})`;  // the very colour the points get
    li.append(dot, document.createTextNode(text));
    legend.append(li);
  };
  const emptyCount = values.length - present.length;
  if (numeric) {
    let lo = Infinity, hi = -Infinity;
    for (const v of present) { lo = Math.min(lo, +v); hi = Math.max(hi, +v); }
    values.forEach((v, i) => {
      empty[i] = isEmpty(v) ? 1 : 0;
      out.set((isEmpty(v) ? EMPTY : rampColour((+v - lo) / (hi - lo || 1))).map((c) => c / 255), i * 3);
    });
    for (const t of [0, 0.25, 0.5, 0.75, 1]) item(rampColour(t), `${+(lo + t * (hi - lo)).toPrecision(4)}`);
  } else {
    const counts = new Map();
    for (const v of present) counts.set(v, (counts.get(v) || 0) + 1);
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, PALETTE.length).map((e) => e[0]);
    const colourOf = new Map(top.map((v, i) => [v, PALETTE[i]]));
    values.forEach((v, i) => {
      empty[i] = isEmpty(v) || !colourOf.has(v) ? 1 : 0;
      out.set((colourOf.get(v) || EMPTY).map((c) => c / 255), i * 3);
    });
    top.forEach((v) => item(colourOf.get(v), `${v} (${counts.get(v)})`));
    if (counts.size > top.length) item(EMPTY, `other (${counts.size - top.length} values)`);
  }
  if (emptyCount) item(EMPTY, `(empty) (${emptyCount})`);
  state.base = out;
  state.empty = empty;
  uploadColours();
}

async function labelBy(column) {
  state.labels = column ? (await api(`/api/metadata/${encodeURIComponent(column)}`)).values : null;
  requestRender();
}

// ---------------------------------------------------------------- queries
function listResults(element, results, onPick, scoreName) {
  element.innerHTML = "";
  for (const { key, score } of results) {
    // Key and score side by side in a flex row inside the list item (the item keeps its number):
    // a long key wraps in its own column and its score stays on its first line.
    const li = document.createElement("li");
    const entry = document.createElement("div");
    entry.className = "entry";
    const name = document.createElement("span");
    name.className = "key";
    name.textContent = key;
    const span = document.createElement("span");
    span.className = "score";
    span.textContent = (scoreName ? scoreName + " " : "") + (scoreName === "dist" ? -score : score).toFixed(3);
    entry.append(name, span);
    li.append(entry);
    li.addEventListener("click", () => onPick(key));
    element.append(li);
  }
}

function showSearchError(error) {
  const box = $("search-error");
  box.innerHTML = "";
  box.hidden = false;
  const suggestions = (error.body && error.body.suggestions) || [];
  box.append(document.createTextNode(error.message + (suggestions.length ? " — did you mean " : "")));
  for (const s of suggestions) {
    const a = document.createElement("a");
    a.href = "#";
    a.textContent = s + " ";
    a.addEventListener("click", (e) => { e.preventDefault(); select(s, true); });
    box.append(a);
  }
}

function clearSearchError() { $("search-error").hidden = true; $("search-error").innerHTML = ""; }

async function select(key, centre) {
  const k = Math.max(1, Math.min(+$("k").value || 10, state.info ? state.info.max_k : 100));
  const metric = $("metric").value;
  let answer;
  try {
    answer = await api(`/api/neighbors?${query({ key, k, metric })}`);
  } catch (error) {
    showSearchError(error);
    return false;
  }
  clearSearchError();
  const index = rowOf();
  state.selected = index.get(key);
  state.neighbors = answer.neighbors.map((n) => index.get(n.key));
  state.neighborAnswer = { key, metric, k };
  // An approximate index (faiss, for large tables) may miss a neighbour now and then: say so.
  $("selected").textContent = answer.exact ? key : `${key} (approximate)`;
  $("neighbors-kind").textContent = `${k} by ${$("metric").selectedOptions[0].textContent}`;
  $("search").value = key;
  listResults($("neighbors"), answer.neighbors, (w) => select(w, false), SCORE_NAMES[metric]);
  if (centre && placed(state.selected)) centreOn(state.selected);
  uploadColours();
  return true;
}

function centreOn(row) {
  const s = screenPositions(), [ax, ay] = aspect();
  const w = canvas.clientWidth, h = canvas.clientHeight;
  state.panX -= (s[2 * row] / w * 2 - 1) / ax;
  state.panY += (s[2 * row + 1] / h * 2 - 1) / ay;
  requestRender();
}

// Enter in the search box: a key selects it (its neighbours); otherwise the text (or the
// pattern) is looked for in the keys and metadata and every match is marked.
async function find(text) {
  if (!text) return;
  const regex = $("regex").checked, caseSensitive = $("case").checked;
  if (!regex && rowOf().has(text)) { await select(text, true); return; }
  if (!regex && !caseSensitive) {
    const folded = lowerIndex().get(text.toLowerCase());
    if (folded !== undefined) { await select(state.keys[folded], true); return; }
  }
  let answer;
  try {
    answer = await api(`/api/search?${query({ q: text, regex, case: caseSensitive, column: $("search-in").value })}`);
  } catch (error) {
    showSearchError(error);
    return;
  }
  if (answer.count === 0) {
    // nothing matched: the neighbours route's 404 suggests close spellings
    let body = null;
    try { await api(`/api/neighbors?${query({ key: text, k: 1 })}`); } catch (error) { body = error.body; }
    showSearchError(Object.assign(new Error(`no match for '${text}'`), { body }));
    return;
  }
  clearSearchError();
  clearSelection(false);
  state.matches = answer.rows;
  $("matches").textContent = `${answer.count.toLocaleString("en")} match${answer.count === 1 ? "" : "es"}` +
    (answer.count > answer.rows.length ? ` (first ${answer.rows.length.toLocaleString("en")} marked)` : "");
  $("matches").hidden = false;
  uploadColours();
}

function clearSelection(all = true) {
  state.selected = -1;
  state.neighbors = [];
  state.neighborAnswer = null;
  state.matches = [];
  if (all) { state.analogy = null; $("analogy-results").innerHTML = ""; }
  $("neighbors").innerHTML = "";
  $("selected").textContent = "";
  $("neighbors-kind").textContent = "";
  $("matches").hidden = true;
  clearSearchError();
  if (state.base) uploadColours();
}

let keyIndex = null, lowerKeyIndex = null;
function rowOf() {
  if (!keyIndex) keyIndex = new Map(state.keys.map((k, i) => [k, i]));
  return keyIndex;
}
function lowerIndex() {
  if (!lowerKeyIndex) {
    lowerKeyIndex = new Map();
    state.keys.forEach((k, i) => { const l = k.toLowerCase(); if (!lowerKeyIndex.has(l)) lowerKeyIndex.set(l, i); });
  }
  return lowerKeyIndex;
}

async function runAnalogy() {
  const [a, b, c] = ["an-a", "an-b", "an-c"].map((id) => $(id).value.trim());
  const list = $("analogy-results");
  try {
    const answer = await api(`/api/analogy?${query({ a, b, c, k: 5 })}`);
    listResults(list, answer.results, (k) => select(k, true));
    const index = rowOf();
    state.analogy = { a: index.get(a), b: index.get(b), c: index.get(c), results: answer.results.map((r) => index.get(r.key)) };
  } catch (error) {
    list.innerHTML = "";
    const li = document.createElement("li");
    li.className = "error";
    li.textContent = error.message;
    list.append(li);
    state.analogy = null;
  }
  uploadColours();
}

// ---------------------------------------------------------------- bookmarks (the URL hash)
function snapshot() {
  const method = state.method;
  return {
    method, dim: state.dim, params: layoutParams(method),
    components: [$("pc-x").value, $("pc-y").value, $("pc-z").value],
    custom: [$("cx-from").value, $("cx-to").value, $("cy-from").value, $("cy-to").value],
    camera: [state.zoom, state.panX, state.panY, state.yaw, state.pitch].map((v) => +v.toFixed(4)),
    selected: state.selected >= 0 ? state.keys[state.selected] : null,
    k: +$("k").value, metric: $("metric").value, isolate: $("isolate").checked, dimRest: $("dim-rest").checked,
    colour: $("color-by").value, label: $("label-by").value,
  };
}

let hashTimer = 0, restoring = false;
function scheduleHash() {
  if (restoring || !state.pos) return;
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => history.replaceState(null, "", "#" + encodeURIComponent(JSON.stringify(snapshot()))), 300);
}

async function restore(saved) {
  restoring = true;
  try {
    $("method").value = saved.method || "pca";
    $("dim").value = String(saved.dim || 2);
    const p = saved.params || {};
    for (const [id, name] of [["perplexity", "perplexity"], ["learning-rate", "learning_rate"], ["iterations", "iterations"],
      ["umap-neighbors", "neighbors"], ["min-dist", "min_dist"]]) if (p[name] !== undefined) $(id).value = p[name];
    if (saved.components) ["pc-x", "pc-y", "pc-z"].forEach((id, i) => { if (saved.components[i]) $(id).value = saved.components[i]; });
    if (saved.custom) ["cx-from", "cx-to", "cy-from", "cy-to"].forEach((id, i) => { $(id).value = saved.custom[i]; });
    $("k").value = saved.k || 10;
    $("metric").value = saved.metric || "cosine";
    $("isolate").checked = !!saved.isolate;
    $("dim-rest").checked = !!saved.dimRest;
    $("color-by").value = saved.colour || "";
    $("label-by").value = saved.label || "";
    await showMethod();
    await colourBy($("color-by").value);
    await labelBy($("label-by").value);
    await compute();
    if (saved.selected) await select(saved.selected, false); else clearSelection();
    if (saved.camera) [state.zoom, state.panX, state.panY, state.yaw, state.pitch] = saved.camera;
    requestRender();
  } finally {
    restoring = false;
  }
}

function bookmarks() {
  try { return JSON.parse(localStorage.getItem("embedlab-bookmarks") || "[]"); } catch { return []; }
}

function showBookmarks() {
  const list = $("bookmarks");
  list.innerHTML = "";
  for (const mark of bookmarks()) {
    const li = document.createElement("li");
    li.textContent = mark.name;
    li.title = "restore this view";
    li.addEventListener("click", () => { history.replaceState(null, "", "#" + encodeURIComponent(JSON.stringify(mark.state))); restore(mark.state); });
    list.append(li);
  }
}

function saveBookmark() {
  const name = $("bookmark-name").value.trim() || `${NAMES[state.method]} ${state.dim}-D #${bookmarks().length + 1}`;
  const all = bookmarks().filter((m) => m.name !== name);
  all.push({ name, state: snapshot() });
  localStorage.setItem("embedlab-bookmarks", JSON.stringify(all));
  $("bookmark-name").value = "";
  showBookmarks();
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
  if (!prefix || $("regex").checked) { box.hidden = true; return; }
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
    const picked = activeSuggestion >= 0 && !$("suggestions").hidden;
    const text = picked ? items[activeSuggestion].textContent : $("search").value.trim();
    clearTimeout(suggestTimer);
    $("suggestions").hidden = true;
    if (picked) select(text, true); else find(text);
  } else if (e.key === "Escape") {
    if (!$("suggestions").hidden) $("suggestions").hidden = true; else clearSelection();
    e.stopPropagation();
  }
});
window.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && document.activeElement !== $("search")) clearSelection();
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
    moving();
    requestRender();
    return;
  }
  if (e.target !== canvas) { $("tooltip").hidden = true; return; }
  const x = e.clientX - rect.left, y = e.clientY - rect.top;
  const row = nearestPoint(x, y, 8);
  const tip = $("tooltip");
  if (row < 0) { tip.hidden = true; return; }
  tip.textContent = labelOf(row);
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
  moving();
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

// ---------------------------------------------------------------- loading files from the page
const UPLOAD_LIMITS = { vectors: 64 * 2 ** 20, metadata: 16 * 2 ** 20 };  // as the server's
async function upload(kind) {
  const input = $(`upload-${kind}`), file = input.files[0], note = $("upload-status");
  if (!file) return;
  note.hidden = false;
  note.className = "note";
  if (file.size > UPLOAD_LIMITS[kind]) {
    note.className = "error";
    note.textContent = `${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MiB; at most ${UPLOAD_LIMITS[kind] / 2 ** 20} MiB can be loaded from the page (use embedlab serve FILE)`;
    return;
  }
  note.textContent = `loading ${file.name}…`;
  try {
    const answer = await api(`/api/upload/${kind}?name=${encodeURIComponent(file.name)}`, { method: "POST", body: file });
    if (kind === "vectors") {
      note.textContent = `${answer.count.toLocaleString("en")} vectors of ${answer.dim} dimensions: reloading`;
      history.replaceState(null, "", location.pathname);
      location.reload();
      return;
    }
    for (const column of answer.columns) {
      for (const id of ["color-by", "label-by", "stratify", "search-in"]) {
        if ([...$(id).options].some((o) => o.value === column)) continue;
        const option = document.createElement("option");
        option.value = option.textContent = column;
        $(id).append(option);
      }
    }
    note.textContent = `${file.name}: column${answer.columns.length === 1 ? "" : "s"} ${answer.columns.join(", ")} added`;
  } catch (error) {
    note.className = "error";
    note.textContent = error.message;
  }
  input.value = "";
}

// ---------------------------------------------------------------- start
async function main() {
  if (!gl) { setStatus("this browser has no WebGL", false); return; }
  setupGL();
  const info = await api("/api/info");
  state.info = info;
  state.keys = await api("/api/keys");
  state.n = state.keys.length;
  for (const column of info.columns) {
    for (const id of ["color-by", "label-by", "stratify", "search-in"]) {
      const option = document.createElement("option");
      option.value = option.textContent = column;
      $(id).append(option);
    }
  }
  $("k").max = info.max_k;
  state.base = uniformColours();
  uploadColours();
  await loadPcaVariance();
  if (info.sprites) {
    await loadSprites(info.sprites);
    $("sprites-row").hidden = false;
    $("sprites").checked = true;
    $("sprites").addEventListener("change", requestRender);
  }
  $("method").addEventListener("change", showMethod);
  $("dim").addEventListener("change", showMethod);
  for (const id of ["perplexity", "learning-rate", "iterations", "umap-neighbors", "min-dist"]) $(id).addEventListener("change", showMethod);
  $("compute").addEventListener("click", compute);
  $("cancel").addEventListener("click", cancelJob);
  $("fit").addEventListener("click", fit);
  $("clear").addEventListener("click", () => clearSelection());
  $("color-by").addEventListener("change", () => colourBy($("color-by").value));
  $("label-by").addEventListener("change", () => labelBy($("label-by").value));
  $("isolate").addEventListener("change", uploadColours);
  $("dim-rest").addEventListener("change", uploadColours);
  const again = () => { if (state.neighborAnswer) select(state.neighborAnswer.key, false); };
  $("metric").addEventListener("change", again);
  $("k").addEventListener("change", again);
  $("an-go").addEventListener("click", runAnalogy);
  $("export").addEventListener("click", exportCsv);
  $("bookmark-save").addEventListener("click", saveBookmark);
  $("upload-vectors").addEventListener("change", () => upload("vectors"));
  $("upload-metadata").addEventListener("change", () => upload("metadata"));
  showBookmarks();
  await showMethod();
  const hash = decodeURIComponent(location.hash.slice(1));
  let saved = null;
  try { saved = hash ? JSON.parse(hash) : null; } catch { saved = null; }
  if (saved) await restore(saved); else await compute();
}

main().catch((error) => setStatus(`error: ${error.message}`, false));
