// Renders every HTML file of a folder in Debian's headless Chromium, driven by
// playwright-core over the DevTools protocol: a screenshot at desktop width, at phone
// width and at desktop width in the dark scheme, and a PDF as the browser prints it.
// Fails on a console error or an uncaught exception, on any request other than the
// page's own file, and on a page wider than the viewport at phone width.
//
// usage: node check.mjs PAGES_DIR OUT_DIR
import { chromium } from "playwright-core";
import { readdirSync, readFileSync, mkdirSync } from "node:fs";
import { join, resolve, basename } from "node:path";
import { pathToFileURL } from "node:url";

const [pagesDir, outDir] = process.argv.slice(2).map((p) => resolve(p));
const VIEWS = [
  { name: "desktop", viewport: { width: 1280, height: 800 }, colorScheme: "light" },
  { name: "phone", viewport: { width: 390, height: 844 }, colorScheme: "light", isMobile: true, hasTouch: true },
  { name: "desktop-dark", viewport: { width: 1280, height: 800 }, colorScheme: "dark" },
];
// Chromium as root on a machine without a network: no sandbox, and nothing that
// reaches out on its own (component updates, sync, background fetches).
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const pages = readdirSync(pagesDir).filter((f) => f.endsWith(".html")).sort();
if (pages.length === 0) {
  console.error(`browser-check: no .html file in ${pagesDir}`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });

/** The pixel size of a PNG, from its IHDR chunk. */
function pngSize(path) {
  const png = readFileSync(path);
  return `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: FLAGS,
});
const problems = [];
const shots = [];
try {
  for (const file of pages) {
    const url = pathToFileURL(join(pagesDir, file)).href;
    const stem = basename(file, ".html");
    for (const view of VIEWS) {
      const context = await browser.newContext({
        viewport: view.viewport,
        colorScheme: view.colorScheme,
        isMobile: view.isMobile ?? false,
        hasTouch: view.hasTouch ?? false,
        deviceScaleFactor: 1,
        offline: true,
      });
      const page = await context.newPage();
      const where = `${file} (${view.name})`;
      page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(`${where}: console error: ${msg.text()}`);
      });
      page.on("pageerror", (err) => problems.push(`${where}: uncaught exception: ${err.message}`));
      page.on("request", (req) => {
        if (req.url() !== url) problems.push(`${where}: requested ${req.url()}`);
      });
      await page.goto(url, { waitUntil: "load", timeout: 30000 });
      const width = await page.evaluate(() => {
        const doc = document.documentElement;
        const inner = window.innerWidth;
        // The elements that reach past the viewport, for the message.
        const wide = [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > inner + 0.5 && !e.closest(".table-wrap"))
          .slice(0, 5)
          .map((e) => `<${e.tagName.toLowerCase()}${e.className ? ` class="${e.className.baseVal ?? e.className}"` : ""}>`);
        return { scroll: doc.scrollWidth, inner, wide };
      });
      if (view.name === "phone" && width.scroll > width.inner) {
        problems.push(
          `${where}: the page is ${width.scroll} px wide in a ${width.inner} px viewport; too wide: ${width.wide.join(", ")}`,
        );
      }
      const shot = join(outDir, `${stem}-${view.name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      shots.push([shot, pngSize(shot)]);
      if (view.name === "desktop") {
        const pdf = join(outDir, `${stem}.pdf`);
        await page.emulateMedia({ media: "print" });
        await page.pdf({ path: pdf, format: "A4", printBackground: true });
        // Page objects of the PDF ("/Type /Page", not "/Pages").
        const sheets = (readFileSync(pdf, "latin1").match(/\/Type\s*\/Page(?!s)/g) || []).length;
        shots.push([pdf, `A4 x${sheets}`]);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}

for (const [path, size] of shots) console.log(`${size.padEnd(10)} ${path}`);
if (problems.length > 0) {
  for (const p of problems) console.error(`browser-check: ${p}`);
  console.error(`browser-check: ${problems.length} problem(s) in ${pages.length} page(s)`);
  process.exit(1);
}
console.log(`browser-check: ${pages.length} page(s) clean: no console error, no request, none wider than a phone`);
