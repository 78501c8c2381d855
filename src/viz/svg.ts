/**
 * @file Scene -> SVG text (dependency-free; numbers to 2 decimals).
 */
import type { Scene, Shape } from './scene.js';

const f2 = (v: number): string => (Math.round(v * 100) / 100).toString();
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function shapeSvg(s: Shape): string {
  const op = s.opacity !== undefined && s.opacity < 1 ? ` opacity="${f2(s.opacity)}"` : '';
  switch (s.kind) {
    case 'line':
      return `<line x1="${f2(s.x1)}" y1="${f2(s.y1)}" x2="${f2(s.x2)}" y2="${f2(s.y2)}" stroke="${s.color}" stroke-width="${s.width}"${op}/>`;
    case 'polyline':
      return `<polyline fill="none" stroke="${s.color}" stroke-width="${s.width}"${op} points="${s.points.map(([x, y]) => `${f2(x)},${f2(y)}`).join(' ')}"/>`;
    case 'rect':
      return `<rect x="${f2(s.x)}" y="${f2(s.y)}" width="${f2(s.w)}" height="${f2(s.h)}" fill="${s.fill ?? 'none'}" stroke="${s.strokeWidth > 0 ? s.color : 'none'}" stroke-width="${s.strokeWidth}"${op}/>`;
    case 'circle':
      return `<circle cx="${f2(s.cx)}" cy="${f2(s.cy)}" r="${f2(s.r)}" fill="${s.color}"${op}/>`;
    case 'text':
      return `<text x="${f2(s.x)}" y="${f2(s.y)}"${s.anchor === 'middle' ? ' text-anchor="middle"' : ''} font-size="${s.size}" fill="${s.color}"${op}>${esc(s.text)}</text>`;
  }
}

export function sceneToSvg(scene: Scene): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="${scene.background}"/>`,
    ...scene.shapes.map(shapeSvg),
    '</svg>',
  ].join('\n');
}
