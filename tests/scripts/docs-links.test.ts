/** Every relative link in the README and docs/ points at a file that exists, and at a heading it has. */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

const DOCS = ["README.md", ...readdirSync("docs").filter((f) => f.endsWith(".md")).map((f) => join("docs", f))];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

function anchors(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));
}

function links(file: string): { target: string; anchor: string | undefined }[] {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((href) => !/^[a-z]+:/.test(href))
    .map((href) => {
      const [path, anchor] = href.split("#");
      return { target: path ? normalize(join(dirname(file), path)) : file, anchor };
    });
}

it("scripts/preflight.sh points only at headings docs/cluster-setup.md has", () => {
  const headings = anchors("docs/cluster-setup.md");
  const cited = [...readFileSync("scripts/preflight.sh", "utf8").matchAll(/cluster-setup\.md#([\w-]+)/g)].map((m) => m[1]!);
  expect(cited.length).toBeGreaterThan(0);
  expect(cited.filter((anchor) => !headings.has(anchor))).toEqual([]);
});

describe.each(DOCS)("%s", (file) => {
  it("links only to files and headings that exist", () => {
    const broken = links(file).filter(
      ({ target, anchor }) => !existsSync(target) || (anchor !== undefined && target.endsWith(".md") && !anchors(target).has(anchor)),
    );
    expect(broken.map(({ target, anchor }) => `${target}${anchor ? `#${anchor}` : ""}`)).toEqual([]);
  });
});
