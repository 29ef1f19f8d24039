#!/usr/bin/env node
// Renders the app and tray icons from the SVG marks below with Debian's Chromium (playwright-core).
// The PNGs are committed; run this only to change the artwork: node tray-ui/assets/render-icons.mjs
import { chromium } from 'playwright-core';
import { writeFile } from 'node:fs/promises';

const here = new URL('.', import.meta.url).pathname;
const colour = (size) => `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 64 64">
  <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3b82f6"/><stop offset="1" stop-color="#1d4ed8"/></linearGradient></defs>
  <rect x="2" y="2" width="60" height="60" rx="14" fill="url(#g)"/>
  <path d="M32 12 50 22v20L32 52 14 42V22z" fill="none" stroke="#fff" stroke-width="4.5" stroke-linejoin="round"/>
  <circle cx="32" cy="32" r="7" fill="#fff"/></svg>`;
// macOS menu bar: black on transparent; the system tints it for light and dark bars.
const template = (size) => `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 64 64">
  <path d="M32 6 55 19v26L32 58 9 45V19z" fill="none" stroke="#000" stroke-width="6" stroke-linejoin="round"/>
  <circle cx="32" cy="32" r="9" fill="#000"/></svg>`;

// Something unread: the same mark with a dot in its corner (orange, or black for the macOS template).
const withDot = (draw, fill) => (size) =>
  draw(size).replace(
    '</svg>',
    `<circle cx="50" cy="14" r="13" fill="${fill}" stroke="${fill === '#000' ? 'none' : '#fff'}" stroke-width="3"/></svg>`,
  );

const outputs = [
  ['tray-unread.png', withDot(colour, '#f97316'), 32],
  ['tray-unread@2x.png', withDot(colour, '#f97316'), 64],
  ['trayTemplate-unread.png', withDot(template, '#000'), 18],
  ['trayTemplate-unread@2x.png', withDot(template, '#000'), 36],
  ['icon.png', colour, 512],
  ['tray.png', colour, 32],
  ['tray@2x.png', colour, 64],
  ['trayTemplate.png', template, 18],
  ['trayTemplate@2x.png', template, 36],
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
for (const [name, draw, size] of outputs) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<body style="margin:0;background:transparent">${draw(size)}</body>`);
  await writeFile(`${here}${name}`, await page.locator('svg').screenshot({ omitBackground: true }));
}
await browser.close();
console.log(`icons written to ${here}`);
