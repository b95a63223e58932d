/**
 * WCAG 2.x contrast: the relative luminance of sRGB colours and the contrast ratio of text
 * on a background (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). Translucent text
 * (Ant Design's rgba(0, 0, 0, 0.45) greys) is first composited over its background, which
 * is what the screen shows.
 */

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** AA: normal text needs 4.5:1, large text (≥ 18.66 px bold or ≥ 24 px) 3:1. */
export const AA_NORMAL = 4.5;
export const AA_LARGE = 3;

/** Parses `#rgb`, `#rrggbb`, `#rrggbbaa`, `rgb(…)` and `rgba(…)`. */
export function parseColor(text: string): Rgba {
  const s = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(s);
  if (hex) {
    let h = hex[1];
    if (h.length === 3) h = [...h].map((c) => c + c).join("");
    const n = (i: number) => Number.parseInt(h.slice(i, i + 2), 16);
    return { r: n(0), g: n(2), b: n(4), a: h.length === 8 ? n(6) / 255 : 1 };
  }
  const fn = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/.exec(s);
  if (fn) {
    const alpha = fn[4] === undefined ? 1 : fn[4].endsWith("%") ? Number.parseFloat(fn[4]) / 100 : Number.parseFloat(fn[4]);
    return { r: Number(fn[1]), g: Number(fn[2]), b: Number(fn[3]), a: alpha };
  }
  throw new Error(`not a colour: ${text}`);
}

/** `fg` drawn over the opaque `bg`. */
export function composite(fg: Rgba, bg: Rgba): Rgba {
  const mix = (f: number, b: number) => f * fg.a + b * (1 - fg.a);
  return { r: mix(fg.r, bg.r), g: mix(fg.g, bg.g), b: mix(fg.b, bg.b), a: 1 };
}

function channel(c: number): number {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

export function luminance(c: Rgba): number {
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

/** The contrast ratio (1 … 21) of `text` on `background` (which must be opaque). */
export function contrastRatio(text: string, background: string): number {
  const bg = parseColor(background);
  if (bg.a !== 1) throw new Error(`background must be opaque: ${background}`);
  const fg = composite(parseColor(text), bg);
  const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
