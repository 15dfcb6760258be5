import { describe, expect, it } from "vitest";
import { findChromium } from "../../scripts/lib/chromium.js";

describe("findChromium", () => {
  it("prefers CHROME_PATH when it is executable", () => {
    expect(findChromium({ CHROME_PATH: process.execPath, PATH: "" })).toBe(process.execPath);
  });

  it("refuses a CHROME_PATH that is not executable, naming it", () => {
    expect(() => findChromium({ CHROME_PATH: "/nonexistent/chrome" })).toThrow(
      "CHROME_PATH=/nonexistent/chrome is not an executable file.",
    );
  });

  it("says in one line what to install when there is no browser", () => {
    expect(() => findChromium({ PATH: "/nonexistent" })).toThrow(
      /^Chromium not found: install it \(apt-get install chromium\) or set CHROME_PATH/,
    );
  });
});
