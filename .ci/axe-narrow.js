// axe-core at a phone's width (360 px), plus a check that the page never scrolls
// sideways there; the shared axe.js checks at desktop width only.
//   node .ci/axe-narrow.js [--cookie "a=b"] URL...   exit 0 clean, 1 serious/critical or sideways scroll
const fs = require('fs'), path = require('path');
const tools = process.env.BROADSHEET_SHARED_TOOLS || path.join(__dirname, "..", "..", "shared", "tools");
const { launch, PROBES_DIR, cookiesFromHeader } = require(path.join(tools, "lib", "browser"));
(async () => {
  const args = process.argv.slice(2); let cookie = null;
  if (args[0] === '--cookie') { cookie = args[1]; args.splice(0, 2); }
  const axe = fs.readFileSync(path.join(PROBES_DIR, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const { context, close } = await launch({ bypassCSP: true, viewport: { width: 360, height: 740 } });
  if (cookie) await context.addCookies(cookiesFromHeader(cookie, args));
  let bad = 0;
  for (const url of args) {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.evaluate(axe);
    const res = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','best-practice'] }, resultTypes: ['violations'] }));
    const sw = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    const serious = res.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
    bad += serious.length + (sw[0] > sw[1] ? 1 : 0);
    console.log(`axe@360 ${url} violations ${res.violations.length} serious/critical ${serious.length} scrollWidth ${sw[0]}/${sw[1]}`);
    for (const v of res.violations) console.log('   ', v.impact, v.id, v.nodes.slice(0,3).map(n => n.target.join(' ')).join(' | '));
    await page.close();
  }
  await close();
  process.exit(bad ? 1 : 0);
})();
