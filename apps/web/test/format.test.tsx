import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderToStaticMarkup } from "react-dom/server";
import { formatted, safeHref } from "../src/format/markdown.js";

const html = (text: string, me = "ann") => renderToStaticMarkup(<>{formatted(text, me).nodes}</>);

describe("message formatting (the Markdown subset)", () => {
  it("renders a one-paragraph message inline (what follows stays on its line), more as blocks", () => {
    assert.equal(formatted("just text", "ann").block, false);
    assert.equal(formatted("two\n\nparagraphs", "ann").block, true);
    assert.equal(formatted("- a list", "ann").block, true);
  });

  it("renders bold, italics, inline code, code blocks, lists and quotes", () => {
    assert.equal(
      html("a **b** *c* `x<y`"),
      "<span>a </span><strong><span>b</span></strong><span> </span><em><span>c</span></em><span> </span><code>x&lt;y</code>",
    );
    assert.equal(html("```\nif (a<b) go();\n```"), "<pre><code>if (a&lt;b) go();</code></pre>");
    assert.equal(
      html("- one\n- two"),
      "<ul><li><span><span>one</span></span></li><li><span><span>two</span></span></li></ul>",
    );
    assert.equal(
      html("3. x\n4. y"),
      '<ol start="3"><li><span><span>x</span></span></li><li><span><span>y</span></span></li></ol>',
    );
    assert.equal(html("> said"), "<blockquote><p><span>said</span></p></blockquote>");
    assert.equal(html("line 1\nline 2"), "<span>line 1</span><br/><span>line 2</span>");
  });

  it("makes typed and bare http(s) links clickable, opening apart with no referrer or opener", () => {
    const rel = 'target="_blank" rel="noopener noreferrer nofollow ugc"';
    assert.equal(
      html("see https://example.com/a?b=1&c=2"),
      `<span>see </span><a href="https://example.com/a?b=1&amp;c=2" ${rel}><span>https://example.com/a?b=1&amp;c=2</span></a>`,
    );
    assert.equal(html("[docs](https://example.com)"), `<a href="https://example.com" ${rel}><span>docs</span></a>`);
    assert.match(html("www.example.org"), /href="http:\/\/www.example.org"/);
  });

  it("never runs or injects markup: <script>, raw HTML and event handlers show as text", () => {
    for (const evil of [
      "<script>alert(1)</script>",
      "hi <img src=x onerror=alert(1)>",
      '<a href="javascript:alert(1)">x</a>',
      "<b>bold?</b> <iframe src=//evil></iframe>",
      "<svg onload=alert(1)>",
    ]) {
      const out = html(evil);
      assert.doesNotMatch(out, /<(script|img|iframe|svg|b|a)[\s>]/i, `${evil} → ${out}`);
      assert.ok(out.includes("&lt;"), `${evil} shown as text: ${out}`);
    }
  });

  it("keeps javascript:, data: and vbscript: links as plain text", () => {
    for (const evil of [
      "[x](javascript:alert(1))",
      "[x](JaVaScRiPt:alert(1))",
      "[x](data:text/html;base64,PHNjcmlwdD4=)",
      "[x](vbscript:msgbox)",
      "<javascript:alert(1)>",
      "[x](  javascript:alert(1) )",
    ]) {
      const out = html(evil);
      assert.doesNotMatch(out, /<a /, `${evil} → ${out}`);
    }
    assert.equal(safeHref("java\tscript:alert(1)"), undefined);
    assert.equal(safeHref("/relative"), undefined);
    assert.equal(safeHref("mailto:a@example.com"), "mailto:a@example.com");
  });

  it("shows what is outside the subset as typed, and highlights mentions in text but not in code", () => {
    assert.equal(html("# not a heading"), "<p># not a heading</p>");
    assert.equal(html("![img](https://x/y.png)"), "![img](https://x/y.png)");
    assert.match(html("hi @ann and @bob"), /<span class="mention mention-me" data-mention="ann">@ann<\/span>/);
    assert.doesNotMatch(html("`@ann`"), /mention/);
  });
});
