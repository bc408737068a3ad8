// The console and index pages: the console's inline script is valid JavaScript, and the pages link
// every endpoint.

import { describe, expect, it } from "vitest";
import { consolePage, rootPage } from "../../../src/monitor/console-page.js";

describe("console page", () => {
  it("carries an inline script that parses", () => {
    const html = consolePage();
    const script = html.slice(html.indexOf("<script>") + "<script>".length, html.indexOf("</script>"));
    expect(script.length).toBeGreaterThan(1000);
    expect(() => new Function(script)).not.toThrow();
    // Protocol lines must reach the browser as escapes, not as raw line breaks inside string literals.
    expect(script).toContain('"PONG\\r\\n"');
  });

  it("has the sections it fills in", () => {
    const html = consolePage();
    for (const id of ["overview", "protocols", "connections", "subjects", "streams", "consumers", "tail"]) {
      expect(html).toContain(`id="${id}"`);
    }
  });

  it("links every endpoint from the index", () => {
    const html = rootPage();
    for (const path of ["varz", "connz", "subsz", "jsz", "accountz", "healthz", "metrics", "console"]) {
      expect(html).toContain(`href="./${path}"`);
    }
  });
});
